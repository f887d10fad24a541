# path: app/routers/depends_name_clash.py
"""The dependency's name is taken by a local function: the fix is manual."""
from fastapi import APIRouter, Depends
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.session import get_session

router = APIRouter()


def get_session_dependency():
    return None


@router.get("/a")
async def a(session: AsyncSession = Depends(get_session)):  # expect: DB105
    return await session.scalar("select 1")
