# path: scripts/missing.py
import os

from sqlalchemy.ext.asyncio import create_async_engine

engine = create_async_engine(os.environ["DATABASE_URL"], pool_pre_ping=True, connect_args={"statement_cache_size": 0, "ssl": "require"})  # expect: DB103, DB109
