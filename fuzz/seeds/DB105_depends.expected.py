# path: app/routers/reports.py
from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import session as db_session
from app.db.session import get_session_dependency

router = APIRouter()


@router.get("/a")
async def a(session: AsyncSession = Depends(get_session_dependency)):  # expect: DB105
    return await session.scalar("select 1")


@router.get("/b")
async def b(session: Annotated[AsyncSession, Depends(db_session.get_session_dependency)]):  # expect: DB105
    return await session.scalar("select 1")
