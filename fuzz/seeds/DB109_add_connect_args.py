# path: scripts/add_connect_args.py
"""The fix adds what `connect_args` is missing, in the call's own style."""
import os

from sqlalchemy.ext.asyncio import create_async_engine

URL = os.environ["DATABASE_URL"]

one_line = create_async_engine(URL, echo=True)  # expect: DB103, DB109
trailing_comma = create_async_engine(  # expect: DB103, DB109
    URL,
    pool_pre_ping=True,  # keep the pings
)
no_trailing_comma = create_async_engine(  # expect: DB103, DB109
    URL,
    pool_pre_ping=True
)
empty = create_async_engine(URL, connect_args={})  # expect: DB103, DB109
inline_dict = create_async_engine(URL, connect_args={"timeout": 10})  # expect: DB103, DB109
multi_line_dict = create_async_engine(  # expect: DB103, DB109
    URL,
    connect_args={
        "statement_cache_size": 0,
        "server_settings": {"application_name": "x"},  # the app name
    },
)
no_ssl_only = create_async_engine(URL, connect_args={"statement_cache_size": 0,})  # expect: DB103, DB109
