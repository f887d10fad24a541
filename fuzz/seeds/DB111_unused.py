# path: app/tasks/cleanup.py
from app.db.legacy_session import get_legacy_session  # expect: DB111
from app.db.session import async_session_factory, get_session  # expect: DB111


async def run():
    async with get_session() as session:
        await session.execute("select 1")
