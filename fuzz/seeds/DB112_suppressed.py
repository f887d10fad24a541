# path: app/tasks/legacy_suppressed.py
from app.db.legacy_session import (
    get_legacy_session,  # expect: DB112
    legacy_engine,  # onesession: ignore[DB112]
)


async def run():
    async with get_legacy_session() as session:
        await session.execute("select 1")
    return legacy_engine
