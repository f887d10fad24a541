# path: app/scheduler/maintenance.py
import asyncpg
import psycopg
from sqlalchemy import text

from app.db.session import engine


async def analyze() -> None:
    async with engine.connect() as conn:  # expect: DB115
        await conn.execute(text("ANALYZE events"))


async def copy_rows(url: str) -> None:
    raw = engine.sync_engine.raw_connection()  # expect: DB115
    conn = await asyncpg.connect(url)  # expect: DB115
    pg = await psycopg.AsyncConnection.connect(url)  # expect: DB115
    await conn.close()
    await pg.close()
    raw.close()
