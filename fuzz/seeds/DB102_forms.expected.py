# path: app/tasks/forms.py
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db.session import async_session_factory, engine, get_session  # expect: DB101


async def opened_with_factory():
    async with get_session() as session:  # expect: DB102
        await session.execute("select 1")


async def assigned():
    session = async_session_factory()  # expect: DB102
    await session.close()


async def constructed():
    session = AsyncSession(engine)  # expect: DB102
    await session.close()


async def throwaway_factory():
    session = async_sessionmaker(engine)()  # expect: DB102
    await session.close()
