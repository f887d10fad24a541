# path: app/db/replica.py
import os

from sqlalchemy import create_engine
import warnings

warnings.warn(
    "app.db.replica is deprecated; use app.db.session",
    DeprecationWarning,
    stacklevel=2,
)

# A sync engine: its driver (psycopg) keys are not asyncpg's, but no driver
# knows these.
replica = create_engine(  # expect: DB103, DB109
    os.environ["REPLICA_URL"],
    connect_args={"options": "-c timezone=utc", "raw_sql": True},  # expect: DB114
)
