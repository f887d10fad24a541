from app.db.legacy_session import (
    get_raw_connection,  # expect: DB112
    legacy_engine,  # expect: DB112
)


async def bulk_load():
    conn = await get_raw_connection()  # expect: DB115?
    await conn.execute("copy x from stdin")
    return legacy_engine.pool.status()
