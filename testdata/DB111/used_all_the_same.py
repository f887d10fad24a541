# path: app/services/fallbacks.py
"""Imports the model sees no use of, that are used all the same: one
bound again when it cannot be imported, one a class holds as an
attribute."""
try:
    from app.db.legacy_session import legacy_engine  # expect: DB111
except ImportError:
    legacy_engine = None


class Repo:
    from app.db.legacy_session import legacy_factory  # expect: DB111

    def open(self):
        return self.legacy_factory()


def url():
    return legacy_engine.url
