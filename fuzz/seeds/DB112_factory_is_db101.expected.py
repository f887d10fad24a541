# path: app/tasks/legacy_factory_user.py
from app.db.session import get_session


async def run():
    async with get_session() as session:  # expect: DB102
        await session.execute("select 1")
