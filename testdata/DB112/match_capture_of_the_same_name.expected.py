# path: app/services/matching.py
"""A `case` capture binds its own `legacy_engine`: renaming the import's
uses must leave the capture and its uses alone."""
from app.db.session import engine


def url():
    return engine.url


def pick(value):
    match value:
        case [legacy_engine, *_]:
            return legacy_engine
        case {"engine": legacy_engine}:
            return legacy_engine
    return None
