"""The canonical module: its dependency makes the session and closes it,
but never commits; routers or services must."""
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

engine = create_async_engine(
    "postgresql+asyncpg://app@db/app",
    connect_args={"statement_cache_size": 0, "ssl": "require"},
)
async_session_factory = async_sessionmaker(engine, expire_on_commit=False)


async def get_session_dependency():
    session = async_session_factory()
    try:
        yield session
    finally:
        await session.close()
