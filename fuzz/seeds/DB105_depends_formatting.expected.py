# path: app/routers/depends_formatting.py
"""Several `Depends(get_session)`, multi-line, with a parenthesised import."""
from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.session import (  # the sanctioned providers
    get_session_dependency,  # the context manager
)

router = APIRouter()


@router.get("/a")
async def a(
    session: AsyncSession = Depends(  # expect: DB105
        get_session_dependency,
    ),
):
    return await session.scalar("select 1")


@router.get("/b")
async def b(
    session: Annotated[
        AsyncSession,
        Depends(dependency=get_session_dependency),  # expect: DB105
    ],
):
    return await session.scalar("select 1")
