# path: app/routers/reports.py
from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import session as db_session
from app.db.session import get_session as gs

router = APIRouter()


@router.get("/a")
async def a(session: AsyncSession = Depends(gs)):  # expect: DB105
    return await session.scalar("select 1")


@router.get("/b")
async def b(session: Annotated[AsyncSession, Depends(db_session.get_session)]):  # expect: DB105
    return await session.scalar("select 1")
