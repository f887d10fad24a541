# path: app/services/openers.py
"""The provider imported under a builtin's name and used only after a
Python 3.12 f-string: the import is used, and removing it would silently
hand out the builtin."""
from app.db.legacy_session import get_legacy_session as open  # expect: DB112


def label(row):
    return f"{row["#"]}", open
