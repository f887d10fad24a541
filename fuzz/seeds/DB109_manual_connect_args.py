# path: scripts/manual_connect_args.py
"""`connect_args` the fix cannot edit: a variable, a `dict(...)` call."""
import os

from sqlalchemy.ext.asyncio import create_async_engine

ARGS = {"timeout": 10}
from_variable = create_async_engine(os.environ["URL"], connect_args=ARGS)  # expect: DB103
from_call = create_async_engine(os.environ["URL"], connect_args=dict(timeout=10))  # expect: DB103, DB109
