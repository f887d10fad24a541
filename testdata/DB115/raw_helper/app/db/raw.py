"""A helper module that hands out raw driver connections."""
import os

import psycopg2


def get_conn():
    return psycopg2.connect(os.environ["DATABASE_URL"])  # expect: DB115


def row_count(table: str) -> int:
    return len(table)
