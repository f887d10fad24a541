from .. import dependencies  # noqa: F401  (relative style)
from ..db.session import get_session


async def run():
    async with get_session() as session:
        await session.execute("select 1")
