# path: app/tasks/sync.py
from app.db.session import get_session  # expect: DB101


async def run():
    async with get_session() as session:  # expect: DB102
        await session.execute("select 1")
