from fastapi import APIRouter, Depends
from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.session import get_session, get_session_dependency

router = APIRouter()


@router.post("/events")
async def record(session: AsyncSession = Depends(get_session_dependency)):
    row = object()
    session.add(row)  # expect: DB119
    await session.flush()
    await session.refresh(row)
    return row


@router.post("/bulk")
async def bulk(db: AsyncSession = Depends(get_session_dependency)):
    await db.execute(insert(object).values(x=1))  # expect: DB119
    await db.execute(update(object).where(object.id == 1).values(x=2))  # expect: DB119
    await db.execute(select(object))
    async with db.begin():
        await db.execute(delete(object))
        db.add_all([object()])
    await db.delete(object())  # expect: DB119


@router.post("/own")
async def own():
    async with get_session() as session:
        session.add(object())
