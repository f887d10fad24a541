# path: scripts/wrong_values.py
import os

from sqlalchemy.ext.asyncio import create_async_engine

no_ssl = create_async_engine(  # expect: DB103, DB109
    os.environ["DATABASE_URL"],
    connect_args={"statement_cache_size": 0, "server_settings": {"application_name": "x"}},
)
cached = create_async_engine(  # expect: DB103, DB109
    "postgresql+asyncpg://app@db/app",
    connect_args={"statement_cache_size": 100, "ssl": False},
)
