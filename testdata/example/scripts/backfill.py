"""One-off: backfill carrier_code for shipments imported before v2.3.

Usage: python scripts/backfill.py postgresql+asyncpg://user:pw@host/db
"""
import asyncio
import sys

import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine


async def main(url: str) -> None:
    engine = create_async_engine(
        url,
        statement_cache_size=0,
        connect_args={"pgbouncer": True, "ssl": "require"},
    )
    session = async_sessionmaker(engine)()
    try:
        await session.execute(text("UPDATE shipments SET carrier_code = upper(carrier) WHERE carrier_code IS NULL"))
        await session.commit()
    finally:
        await session.close()
        await engine.dispose()

    conn = await asyncpg.connect(url.replace("+asyncpg", ""))
    try:
        await conn.execute("ANALYZE shipments")
    finally:
        await conn.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
