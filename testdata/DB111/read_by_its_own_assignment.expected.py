# path: app/services/cfg.py
"""`name = name` reads the name before binding it: in a class body from the
module (the import), at module level the import itself. Both imports are
used."""
from app.db.session import async_session_factory, engine  # expect: DB101


class Config:
    legacy_engine = engine


async_session_factory = async_session_factory
