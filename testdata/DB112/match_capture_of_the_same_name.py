# path: app/services/matching.py
"""A `case` capture binds its own `legacy_engine`: renaming the import's
uses must leave the capture and its uses alone."""
from app.db.legacy_session import legacy_engine  # expect: DB112


def url():
    return legacy_engine.url


def pick(value):
    match value:
        case [legacy_engine, *_]:
            return legacy_engine
        case {"engine": legacy_engine}:
            return legacy_engine
    return None
