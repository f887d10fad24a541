"""Requests commit (the dependency does), jobs do not: the context manager
only closes its session. A service's commit is then the only commit of a
job's writes."""
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

engine = create_async_engine(
    "postgresql+asyncpg://app@db/app",
    connect_args={"statement_cache_size": 0, "ssl": "require"},
)
async_session_factory = async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def get_session():
    async with async_session_factory() as session:
        yield session


async def get_session_dependency():
    async with async_session_factory() as session:
        yield session
        await session.commit()
