from app.db.session import get_session


async def refresh(index_id: int, *, force: bool = False):  # expect: DB104
    async with get_session() as session, get_session() as other:
        await session.execute(index_id, force, other)


async def status(index_id: int):
    async with get_session() as session:
        return await session.get(object, index_id)
