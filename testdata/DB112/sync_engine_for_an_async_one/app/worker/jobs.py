"""The worker's sync engine cannot become the canonical async engine by a
rename: `with engine.connect()` fails on an async engine."""
from sqlalchemy import text

from app.worker.db import engine  # expect: DB112


def nightly():
    with engine.connect() as conn:  # expect: DB115
        conn.execute(text("select 1"))
