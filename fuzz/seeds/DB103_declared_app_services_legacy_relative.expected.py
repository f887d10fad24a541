"""Relative imports: the replacement is imported relatively too."""
from ..db.session import (
    get_session,
    engine,
)


async def url() -> str:
    async with get_session() as session:
        await session.execute("select 1")
    return str(
        engine.url,
    )
