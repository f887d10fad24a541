"""A deprecated second session module."""
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

legacy_engine = create_async_engine(
    "postgresql+asyncpg://app@db/app",
    connect_args={"statement_cache_size": 0, "ssl": "require"},
)
legacy_factory = async_sessionmaker(legacy_engine)


async def get_legacy_session():
    return legacy_factory()


async def get_raw_connection():
    return await legacy_engine.raw_connection()
