# path: scripts/fine_engines.py
import os

from sqlalchemy import create_engine
from sqlalchemy.ext.asyncio import create_async_engine

ARGS = {"statement_cache_size": 0}

# dict(...) form holds both keys
a = create_async_engine(os.environ["URL"], connect_args=dict(statement_cache_size=0, ssl="require"))  # expect: DB103
# a variable: what it holds is unknown, nothing is reported
b = create_async_engine(os.environ["URL"], connect_args=ARGS)  # expect: DB103
# psycopg: no asyncpg statement cache; sslmode is its SSL key
c = create_engine("postgresql+psycopg2://app@db/app", connect_args={"sslmode": "require"})  # expect: DB103
# sqlite: no pooler, no SSL
d = create_async_engine("sqlite+aiosqlite:///local.db")  # expect: DB103
# settings in the URL query count
e = create_async_engine("postgresql+asyncpg://app@db/app?statement_cache_size=0&ssl=require")  # expect: DB103
