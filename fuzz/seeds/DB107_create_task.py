# path: app/routers/sync.py
import asyncio

from fastapi import APIRouter, BackgroundTasks, Depends
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.session import get_session_dependency

router = APIRouter()
_tasks: set[asyncio.Task] = set()


async def sync_one(item_id: int, session: AsyncSession) -> None:
    await session.flush()


@router.post("/sync")
async def sync(session: AsyncSession = Depends(get_session_dependency)) -> dict:
    task = asyncio.create_task(sync_one(1, session))  # expect: DB107
    _tasks.add(task)
    return {"queued": True}


async def schedule_with(tasks: BackgroundTasks, session: AsyncSession) -> None:
    # a session parameter inside a router belongs to the request too
    tasks.add_task(sync_one, 2, session)  # expect: DB107
