# path: app/db/compat.py
from app.db.session import async_session_factory  # expect: DB101

__all__ = ["async_session_factory"]
