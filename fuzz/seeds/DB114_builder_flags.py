# path: scripts/pooled.py
import os

from sqlalchemy.ext.asyncio import create_async_engine

engine = create_async_engine(  # expect: DB103
    os.environ["URL"],
    sslmode="require",  # expect: DB114
    connect_args={
        "pgbouncer": True,  # expect: DB114
        "statement_cache_size": 0,
        "ssl": "require",
    },
)
