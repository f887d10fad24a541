# path: app/tasks/legacy_suppressed.py
from app.db.legacy_session import (
    legacy_engine,  # onesession: ignore[DB112]
)
from app.db.session import get_session


async def run():
    async with get_session() as session:
        await session.execute("select 1")
    return legacy_engine
