# path: app/db/helpers.py
from sqlalchemy import text

from app.db.session import async_session_factory, get_session  # expect: DB101


async def get_db():
    """Wraps the canonical provider: not a shadow provider."""
    async with get_session() as session:
        yield session


async def count_rows():
    async with get_session() as s:  # expect: DB102
        return await s.scalar(text("select count(*) from t"))


def make_session_later():
    def inner():
        return async_session_factory()  # expect: DB102
    return inner
