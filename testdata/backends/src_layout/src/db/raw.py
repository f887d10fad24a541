from .session import engine


async def get_raw_connection():
    """Pooled DBAPI connection for asyncpg's COPY API. The caller closes it."""
    return await engine.raw_connection()
