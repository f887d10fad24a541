# path: app/services/generic_jobs.py
"""A type parameter (PEP 695) named like the provider the fix would bring in
hides it inside the function: the rewrite would call the type parameter."""
from app.db.session import async_session_factory  # expect: DB101


async def run[get_session](item: get_session) -> None:
    async with async_session_factory() as session:  # expect: DB102
        await session.merge(item)
