# path: app/services/typed.py
"""A name used only in a string annotation is used."""
from app.db.legacy_session import legacy_factory


def opener() -> "legacy_factory":
    return None
