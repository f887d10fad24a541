from app.db import param_session
from app.db.session import get_session


async def sync_all():  # expect: DB104
    async with get_session() as session:
        await session.execute("select 1")
    return param_session
