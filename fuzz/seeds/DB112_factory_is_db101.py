# path: app/tasks/legacy_factory_user.py
from app.db.legacy_session import legacy_factory  # expect: DB101


async def run():
    async with legacy_factory() as session:  # expect: DB102
        await session.execute("select 1")
