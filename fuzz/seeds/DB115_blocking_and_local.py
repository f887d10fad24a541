# path: scripts/export.py
import os

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.orm import Session

from app.db.session import engine


async def export() -> int:
    with Session(engine.sync_engine) as s:  # expect: DB115, DB102
        rows = s.execute(text("SELECT 1")).all()
    return len(rows)


async def main() -> None:
    local = create_async_engine(  # expect: DB103
        os.environ["URL"], connect_args={"statement_cache_size": 0, "ssl": "require"}
    )
    async with local.begin() as conn:  # expect: DB115
        await conn.execute(text("SELECT 1"))
    await local.dispose()
