# path: app/services/typed_and_used.py
from app.db.session import async_session_factory  # expect: DB101


async def run(factory: async_session_factory = None) -> None:
    # The fix rewrites the call and keeps the import the annotation needs.
    async with async_session_factory() as session:  # expect: DB102
        await session.execute("select 1")
