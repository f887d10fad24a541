"""A deprecated second session module with a star import, which may bind
`warnings` (here it does): an added `import warnings` would replace that
name, so the deprecation is left to the user."""
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from app.db.consts import *

legacy_engine = create_async_engine(  # expect: DB103
    "postgresql+asyncpg://app@db/app",
    connect_args={"statement_cache_size": 0, "ssl": "require"},
)
legacy_factory = async_sessionmaker(legacy_engine)  # expect: DB103
NOTES = list(warnings)


async def get_legacy_session():  # expect: DB113
    return legacy_factory()


async def get_raw_connection():
    return await legacy_engine.raw_connection()
