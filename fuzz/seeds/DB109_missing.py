# path: scripts/missing.py
import os

from sqlalchemy.ext.asyncio import create_async_engine

engine = create_async_engine(os.environ["DATABASE_URL"], pool_pre_ping=True)  # expect: DB103, DB109
