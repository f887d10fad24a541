from app.db.param_session import session_from_params
from app.db.session import get_session


async def refresh(index_id: int, db_params: dict | None = None, *, force: bool = False):  # expect: DB104
    async with session_from_params(db_params) as session, get_session() as other:
        await session.execute(index_id, force, other)


async def status(index_id: int):
    async with get_session() as session:
        return await session.get(object, index_id)
