# path: app/routers/events.py
from fastapi import APIRouter, Depends
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.session import get_session_dependency

router = APIRouter()


@router.post("/events")
async def record(session: AsyncSession = Depends(get_session_dependency)):
    row = object()
    session.add(row)
    await session.flush()
    await session.refresh(row)  # expect: DB118
    return row


async def helper(session: AsyncSession):
    await session.rollback()  # expect: DB118
    scalars: object = await session.scalars("select 1")  # expect: DB118
    return scalars
