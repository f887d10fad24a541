# path: app/routers/shipments.py
from fastapi import APIRouter, Depends
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.session import get_session_dependency

router = APIRouter()


@router.post("")
async def create(session: AsyncSession = Depends(get_session_dependency)):
    row = object()
    async with session.begin():
        session.add(row)
    await session.refresh(row)
    return row
