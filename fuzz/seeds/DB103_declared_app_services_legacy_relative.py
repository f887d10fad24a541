"""Relative imports: the replacement is imported relatively too."""
from ..db.legacy_session import (  # legacy engine, PW-288
    legacy_engine,  # expect: DB112
)
from ..db.session import (
    get_session,
)


async def url() -> str:
    async with get_session() as session:
        await session.execute("select 1")
    return str(
        legacy_engine.url,
    )
