"""Sessions for long-running batch work, on their own small pool."""
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from app.config import settings

direct_engine = create_async_engine(settings.database_url, pool_size=2, max_overflow=0)
direct_session_factory = async_sessionmaker(direct_engine, expire_on_commit=False)


@asynccontextmanager
async def get_direct_session(db_params: dict):
    async with direct_session_factory() as session:
        name = db_params.get("application_name", "payrun")
        await session.execute(text("SELECT set_config('application_name', :name, true)"), {"name": name})
        try:
            yield session
            await session.commit()
        except Exception:
            await session.rollback()
            raise
