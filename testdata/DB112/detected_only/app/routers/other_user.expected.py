from app.db.other_session import (
    app,  # the application, not a session thing: silent
    ping,  # a utility, not a session thing: silent
    timer,  # a decorator: silent
)
from app.db.session import engine, get_session


async def run():
    async with get_session() as session:
        await session.execute("select 1")
    return engine.url, ping(), app, timer
