# path: app/tasks/alias.py
from ..db.session import async_session_factory as make  # expect: DB101


async def run():
    session = make()  # expect: DB102
    await session.close()
