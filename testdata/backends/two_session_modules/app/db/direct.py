"""Direct sessions for the import workers, plus small timing helpers."""
import functools
import logging
import time
from collections import Counter
from contextlib import asynccontextmanager

import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from app.config import settings

logger = logging.getLogger(__name__)

direct_engine = create_async_engine(settings.database_url, pool_size=5, pool_recycle=1800)
direct_session_factory = async_sessionmaker(direct_engine, expire_on_commit=False)

counter: Counter[str] = Counter()


@asynccontextmanager
async def get_direct_session(db_params: dict):
    async with direct_session_factory() as session:
        timeout = db_params.get("statement_timeout_ms")
        if timeout:
            await session.execute(text(f"SET LOCAL statement_timeout = {int(timeout)}"))
        try:
            yield session
            await session.commit()
        except Exception:
            await session.rollback()
            raise


async def get_raw_connection() -> asyncpg.Connection:
    return await asyncpg.connect(settings.database_url.replace("+asyncpg", ""), statement_cache_size=0)


def timer(func):
    @functools.wraps(func)
    async def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return await func(*args, **kwargs)
        finally:
            counter[func.__qualname__] += 1
            logger.debug("%s took %.1f ms", func.__qualname__, (time.perf_counter() - started) * 1000)

    return wrapper
