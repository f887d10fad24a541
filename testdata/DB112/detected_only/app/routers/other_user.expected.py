from app.db.other_session import (
    ping,  # a utility, not a session thing: silent
)
from app.db.session import engine, get_session


async def run():
    async with get_session() as session:
        await session.execute("select 1")
    return engine.url, ping()
