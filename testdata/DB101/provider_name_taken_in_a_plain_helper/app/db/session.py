from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

engine = create_async_engine("postgresql+asyncpg://app@db/app")
async_session_factory = async_sessionmaker(engine)


@asynccontextmanager
async def unit_of_work():
    async with async_session_factory() as session:
        yield session
