# path: scripts/local_db.py
"""Engines whose URL says sqlite without being a literal: a module constant
or an f-string's literal start is sqlite, so asyncpg's and SSL's keys do not
apply; an environment variable whose default is sqlite may be PostgreSQL in
production (reported), but adding the keys would break the default (no
fix)."""
import os

from sqlalchemy.ext.asyncio import create_async_engine

LOCAL_URL = "sqlite+aiosqlite:///./local.db"
local_engine = create_async_engine(LOCAL_URL)  # expect: DB103
tmp_engine = create_async_engine(f"sqlite+aiosqlite:///{os.getcwd()}/tmp.db")  # expect: DB103
dev_engine = create_async_engine(os.getenv("DATABASE_URL", "sqlite+aiosqlite:///./dev.db"))  # expect: DB103, DB109
