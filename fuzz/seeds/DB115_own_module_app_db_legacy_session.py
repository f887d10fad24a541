"""The module that defines an engine may use it: DB103 covers it."""
import warnings

from sqlalchemy.ext.asyncio import create_async_engine

warnings.warn("use app.db.session", DeprecationWarning, stacklevel=2)

legacy_engine = create_async_engine(
    "postgresql+asyncpg://app@db/app",
    connect_args={"statement_cache_size": 0, "ssl": "require"},
)


async def get_raw_connection():
    return await legacy_engine.raw_connection()


async def ping():
    async with legacy_engine.connect() as conn:
        return conn
