# path: app/tasks/suppressed.py
from app.db.session import async_session_factory  # onesession: ignore[DB101]
from app.db.session import get_session  # onesession: ignore[DB101]  # expect: DB003
from app.db.session import engine  # onesession: ignore[DB101, DB999]  # expect: DB003
# onesession: ignore  # expect: DB003
x = 1  # onesession: ignore  # expect: DB003

# noqa: E501 onesession: ignore[DB102]  # expect: DB003


async def run():
    async with get_session() as session:
        await session.execute(engine)
    return async_session_factory
