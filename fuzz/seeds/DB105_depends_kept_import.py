# path: app/routers/depends_kept_import.py
"""`get_session` is used elsewhere too: the import stays."""
from fastapi import APIRouter, Depends
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.session import get_session, get_session_dependency

router = APIRouter()


@router.get("/a")
async def a(session: AsyncSession = Depends(get_session)):  # expect: DB105
    return await session.scalar("select 1")


@router.get("/b")
async def b(session: AsyncSession = Depends(get_session_dependency)):
    async with get_session() as other:
        await other.scalar("select 2")
    return await session.scalar("select 1")
