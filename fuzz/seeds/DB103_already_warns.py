# path: app/db/old_session.py
"""Being deprecated: it warns at import, so its importers are DB112's."""
import warnings

from sqlalchemy.ext.asyncio import create_async_engine

warnings.warn(
    "app.db.old_session is deprecated; use app.db.session", DeprecationWarning, stacklevel=2
)

old_engine = create_async_engine(
    "postgresql+asyncpg://app@db/app",
    connect_args={"statement_cache_size": 0, "ssl": "require"},
)
