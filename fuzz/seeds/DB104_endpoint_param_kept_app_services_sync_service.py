from app.db import param_session
from app.db.param_session import session_from_params


async def sync_all(db_params: dict):  # expect: DB104
    async with session_from_params(db_params) as session:
        await session.execute("select 1")
    return param_session
