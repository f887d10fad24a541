# path: app/tasks/sync.py
from app.db.session import async_session_factory  # expect: DB101


async def run():
    async with async_session_factory() as session:  # expect: DB102
        await session.execute("select 1")
