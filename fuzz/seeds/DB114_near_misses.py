# path: app/services/tuning_ok.py
from app.db.session import engine


class Holder:
    pool_size = 1


async def shutdown(stmt, holder: Holder):
    holder.pool_size = 5
    await engine.dispose()
    return stmt.execution_options(isolation_level="AUTOCOMMIT", stream_results=True)
