# path: app/routers/secured.py
"""`Security(...)` is `Depends(...)` with scopes: the same misuse, the same
fix."""
from fastapi import APIRouter, Security
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.session import get_session

router = APIRouter()


@router.get("/secured")
async def secured(session: AsyncSession = Security(get_session, scopes=["read"])):  # expect: DB105
    return await session.scalar("select 1")
