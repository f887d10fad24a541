# path: app/services/labels.py
"""Written for Python 3.12: the f-string reuses its quote (PEP 701), which
the parser (3.11) reads as ending there, `#"]}", eng` then a comment."""
from app.db.legacy_session import legacy_engine as eng  # expect: DB112


def label(row):
    return f"{row["#"]}", eng
