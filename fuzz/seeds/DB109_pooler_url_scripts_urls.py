import os

from sqlalchemy.ext.asyncio import create_async_engine

ARGS = {"statement_cache_size": 0}

# user, host and port all wrong: three findings on one line
direct = create_async_engine("postgresql+asyncpg://app@db.internal/app", connect_args=ARGS)  # expect: DB103, DB109
pooled = create_async_engine(  # expect: DB103
    "postgresql+asyncpg://postgres.abcdef:pw@pooler.example.com:6543/postgres",
    connect_args=ARGS,
)
# not a literal: the URL is unknown
from_env = create_async_engine(os.environ["URL"], connect_args=ARGS)  # expect: DB103
