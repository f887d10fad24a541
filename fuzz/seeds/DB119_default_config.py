# path: app/routers/deliveries.py
"""With the default `dependency-commits = true`, DB119 never fires."""
from fastapi import APIRouter, Depends
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.session import get_session_dependency

router = APIRouter()


@router.post("/events")
async def record(session: AsyncSession = Depends(get_session_dependency)):
    row = object()
    session.add(row)
    await session.execute(insert(object).values(x=1))
    await session.flush()
    return row
