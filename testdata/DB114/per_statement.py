# path: app/services/reports.py
import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

NO_CACHE = {"statement_cache_size": 0}  # expect: DB114


async def totals(session: AsyncSession, query, db_params: dict):  # expect: DB104
    rows = await session.execute(
        query,
        execution_options={
            "no_parameters": True,
            "statement_cache_size": db_params.get("statement_cache_size", 0),  # expect: DB114
        },
    )
    await session.scalars(query, execution_options={"no_prepare": True})  # expect: DB114
    return rows


async def raw(conn, sql: str):
    options = dict(raw_sql=True)  # expect: DB114
    await conn.execute(text(sql), execution_options=options)
    await conn.execute(text(sql), execution_options=NO_CACHE)
    return await conn.execution_options(**{"prepare_threshold": None}).execute(text(sql))  # expect: DB114


async def direct(dsn: str):
    return await asyncpg.connect(dsn, statement_cache_size=0, no_prepare=True)  # expect: DB114, DB115
