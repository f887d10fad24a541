# path: app/tasks/cleanup.py
from sqlalchemy import select, update

from app.db.session import get_session


async def archive():
    async with get_session() as session:
        await session.execute(update(object))
        await session.commit()  # expect: DB118


async def lookups():
    async with get_session() as session:
        result = await session.execute(select(1))  # expect: DB118
        row = await session.get(object, 1)  # expect: DB118
        session.add(row)
        session.add_all([row])
        session.expunge(row)
        await session.delete(row)  # expect: DB118
        await session.refresh(row)  # expect: DB118
        return result
