"""Canonical database session management for Parcelwise.

This is the only module allowed to create the engine and the session
factory. Background work uses ``async with get_session() as session``;
routers use ``session: AsyncSession = Depends(get_session_dependency)``.
"""
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from app.config import settings

engine = create_async_engine(
    settings.database_url,
    pool_size=settings.db_pool_size,
    pool_pre_ping=True,
    connect_args={"server_settings": {"application_name": "parcelwise"}},
)

async_session_factory = async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def get_session() -> AsyncIterator[AsyncSession]:
    """Yield a session; commit on success, roll back on any error."""
    async with async_session_factory() as session:
        try:
            yield session
            await session.commit()
        except Exception:
            await session.rollback()
            raise


async def get_session_dependency() -> AsyncIterator[AsyncSession]:
    """FastAPI dependency: one session per request."""
    async with get_session() as session:
        yield session
