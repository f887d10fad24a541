# path: app/services/typing_only.py
"""The factory named in annotations: nothing is built from it there."""
from app.db.session import async_session_factory, get_session  # expect: DB101


def reader(factory: async_session_factory) -> async_session_factory:  # type: ignore[valid-type]
    return factory


async def count(factory: async_session_factory = None) -> int:
    async with get_session() as session:
        return await session.scalar("select 1")

