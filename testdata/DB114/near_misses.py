# path: app/services/tuning_ok.py
from app.db.session import engine


class Holder:
    pool_size = 1


async def shutdown(stmt, holder: Holder):
    holder.pool_size = 5
    await engine.dispose()
    return stmt.execution_options(isolation_level="AUTOCOMMIT", stream_results=True)


async def stream_rows(session, statement, conn, sql):
    # Real per-statement options: ORM and streaming behaviour.
    await session.stream(statement, execution_options={"yield_per": 1000})
    opts = {"populate_existing": True}
    await session.execute(statement, execution_options=opts)
    await conn.execute(sql, execution_options={"no_parameters": True})
    return statement.execution_options(synchronize_session=False, **{"render_nulls": True})
