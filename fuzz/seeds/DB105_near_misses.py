# path: app/routers/fine.py
"""Uses get_session() the right way; `await get_session()` in a docstring."""
from contextlib import AsyncExitStack

from fastapi import APIRouter, Depends
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.session import get_session, get_session_dependency

router = APIRouter()

# session = await get_session()  is wrong
NOTE = "Depends(get_session)"


@router.get("/ok")
async def ok(session: AsyncSession = Depends(get_session_dependency)):
    return await session.scalar("select 1")


async def job() -> None:
    async with get_session() as session:
        await session.scalar("select 1")


def provider():
    # handing the context manager on is fine: the caller enters it
    return get_session()


async def stacked() -> None:
    async with AsyncExitStack() as stack:
        session = await stack.enter_async_context(get_session())
        await session.scalar("select 1")
