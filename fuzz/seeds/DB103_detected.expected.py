# path: app/db/other_session.py
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
import warnings

warnings.warn(
    "app.db.other_session is deprecated; use app.db.session",
    DeprecationWarning,
    stacklevel=2,
)

other_engine = create_async_engine(  # expect: DB103
    "postgresql+asyncpg://app@db/app",
    connect_args={"statement_cache_size": 0, "ssl": "require"},
)
other_factory = async_sessionmaker(other_engine, expire_on_commit=False)  # expect: DB103
