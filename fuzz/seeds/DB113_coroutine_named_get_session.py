# path: app/tasks/legacy_helpers.py
from sqlalchemy.ext.asyncio import AsyncSession

from ..db.session import async_session_factory  # expect: DB101


async def get_session() -> AsyncSession:  # expect: DB113
    """Return a fresh session. The caller must close it."""
    session = async_session_factory()  # expect: DB102
    return session
