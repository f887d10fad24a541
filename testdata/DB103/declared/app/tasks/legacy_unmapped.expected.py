from app.db.legacy_session import (
    get_raw_connection,  # expect: DB112
)
from app.db.session import engine


async def bulk_load():
    conn = await get_raw_connection()  # expect: DB115?
    await conn.execute("copy x from stdin")
    return engine.pool.status()
