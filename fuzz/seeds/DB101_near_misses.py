# path: app/tasks/fine.py
"""Mentions async_session_factory in a docstring only."""
from app.db.session import get_session

# async_session_factory() is not used here
NOTE = "async_session_factory"


async def run():
    async with get_session() as session:
        await session.execute("select 1")
