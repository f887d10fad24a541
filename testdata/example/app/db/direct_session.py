"""DEPRECATED: pre-2.0 session helpers.

Use :mod:`app.db.session` instead. This module is only kept until the
crawl workers and the scheduler are migrated (PW-288).
"""
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from app.config import settings

direct_engine = create_async_engine(settings.database_url, echo=settings.sql_echo)
direct_session_factory = async_sessionmaker(direct_engine)


@asynccontextmanager
async def get_direct_session(params: dict | None = None):
    """Yield a session bound to the legacy engine.

    ``params`` is accepted for backwards compatibility with the crawl
    workers, which still pass their connection settings around.
    """
    async with direct_session_factory() as session:
        if params:
            session.info["db_params"] = params
        try:
            yield session
            await session.commit()
        except Exception:
            await session.rollback()
            raise


async def get_raw_connection():
    """Raw DBAPI connection, used for COPY-based bulk loads."""
    return await direct_engine.raw_connection()
