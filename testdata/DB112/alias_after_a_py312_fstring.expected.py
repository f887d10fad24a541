# path: app/services/labels.py
"""Written for Python 3.12: the f-string reuses its quote (PEP 701), which
the parser (3.11) reads as ending there, `#"]}", eng` then a comment."""
from app.db.session import engine


def label(row):
    return f"{row["#"]}", engine
