# path: app/routers/notify.py
import aiohttp
from fastapi import APIRouter, BackgroundTasks, Depends
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.session import get_session, get_session_dependency

router = APIRouter()


async def notify(report_id: int, http: aiohttp.ClientSession | None = None) -> None:
    async with get_session() as session:
        await session.flush()


@router.post("/notify")
async def request_notify(
    background_tasks: BackgroundTasks,
    session: AsyncSession = Depends(get_session_dependency),
) -> dict:
    report_id = await session.scalar("select 1")
    # only the id is passed: the task opens its own session
    background_tasks.add_task(notify, report_id)
    http = aiohttp.ClientSession()
    background_tasks.add_task(notify, report_id, http)
    return {"queued": True, "session": "session"}
