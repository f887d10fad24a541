# path: app/tasks/cleanup.py
from app.db.session import get_session  # expect: DB111


async def run():
    async with get_session() as session:
        await session.execute("select 1")
