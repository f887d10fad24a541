from .. import dependencies  # noqa: F401  (relative style)
from ..db.other_session import get_session  # expect: DB112?


async def run():
    async with get_session() as session:
        await session.execute("select 1")
