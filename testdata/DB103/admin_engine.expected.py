# path: app/commands/create_db.py
import os

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
import warnings

warnings.warn(
    "app.commands.create_db is deprecated; use app.db.session",
    DeprecationWarning,
    stacklevel=2,
)


async def create_database() -> None:
    # CREATE DATABASE cannot run inside a transaction: an AUTOCOMMIT
    # connection on the server, not a session, is what it needs.
    admin = create_async_engine(os.environ["SERVER_URL"], connect_args={"statement_cache_size": 0, "ssl": "require"})  # expect: DB109
    async with admin.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text("CREATE DATABASE app"))
    await admin.dispose()
    # The same function then builds a second engine for the data: flagged.
    data = create_async_engine(os.environ["DATABASE_URL"], connect_args={"statement_cache_size": 0, "ssl": "require"})  # expect: DB103, DB109
    await data.dispose()


def vacuum_engine():
    return create_async_engine(os.environ["DATABASE_URL"], isolation_level="AUTOCOMMIT", connect_args={"statement_cache_size": 0, "ssl": "require"})  # expect: DB109


async def seed() -> None:
    # The same module building an engine to seed data: a second engine.
    engine = create_async_engine(os.environ["DATABASE_URL"], connect_args={"statement_cache_size": 0, "ssl": "require"})  # expect: DB103, DB109
    async with engine.begin() as conn:  # expect: DB115
        await conn.execute(text("INSERT INTO plans VALUES (1)"))
