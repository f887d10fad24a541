# path: app/services/cfg.py
"""`name = name` reads the name before binding it: in a class body from the
module (the import), at module level the import itself. Both imports are
used."""
from app.db.legacy_session import legacy_engine  # expect: DB112
from app.db.session import async_session_factory  # expect: DB101


class Config:
    legacy_engine = legacy_engine


async_session_factory = async_session_factory
