"""A deprecated second session module whose only `import warnings` sits in
a block that may not run: the fix still imports it at the top."""
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

try:
    import orjson as json
except ImportError:
    import json
    import warnings

    warnings.warn("orjson is not installed", RuntimeWarning)

legacy_engine = create_async_engine(  # expect: DB103
    "postgresql+asyncpg://app@db/app",
    connect_args={"statement_cache_size": 0, "ssl": "require"},
    json_serializer=json.dumps,
)
legacy_factory = async_sessionmaker(legacy_engine)  # expect: DB103


async def get_legacy_session():  # expect: DB113
    return legacy_factory()


async def get_raw_connection():
    return await legacy_engine.raw_connection()
