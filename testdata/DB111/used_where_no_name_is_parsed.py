# path: app/services/lazy.py
"""Uses no parser sees: an import that binds a module name from inside a
function, and a name looked up by its string."""
from app.db.legacy_session import get_legacy_session  # expect: DB111


def setup():
    global legacy_factory
    from app.db.legacy_session import legacy_factory  # expect: DB111


def make():
    return legacy_factory()


def provider():
    return globals()["get_legacy_session"]
