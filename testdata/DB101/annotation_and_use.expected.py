# path: app/services/typed_and_used.py
from app.db.session import async_session_factory, get_session  # expect: DB101


async def run(factory: async_session_factory = None) -> None:
    # The fix rewrites the call and keeps the import the annotation needs.
    async with get_session() as session:  # expect: DB102
        await session.execute("select 1")
