"""A deprecated second session module."""
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
import warnings

warnings.warn(
    "app.db.legacy_session is deprecated; use app.db.session",
    DeprecationWarning,
    stacklevel=2,
)

legacy_engine = create_async_engine(  # expect: DB103
    "postgresql+asyncpg://app@db/app",
    connect_args={"statement_cache_size": 0, "ssl": "require"},
)
legacy_factory = async_sessionmaker(legacy_engine)  # expect: DB103


async def get_legacy_session():  # expect: DB113
    return legacy_factory()


async def get_raw_connection():
    return await legacy_engine.raw_connection()


def from_request(request):
    # Hands out the request's session: the index takes it for a provider
    # (an attribute named like a session, in any case).
    return request.state.DB


def build(make):
    return make()()
