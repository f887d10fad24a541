# path: scripts/sync_report.py
"""A sync engine: psycopg's connect_args keys are not asyncpg's."""
import os

from sqlalchemy import create_engine

engine = create_engine(  # expect: DB103
    os.environ["URL"],
    connect_args={"sslmode": "require", "application_name": "report", "connect_timeout": 5},
)
engine.pool_size = 3
