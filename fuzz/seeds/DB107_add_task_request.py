# path: app/routers/reports.py
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.session import get_session_dependency

router = APIRouter()


async def build_report(report_id: int, session: AsyncSession) -> None:
    await session.flush()


@router.post("/reports")
async def request_report(
    background_tasks: BackgroundTasks,
    session: AsyncSession = Depends(get_session_dependency),
) -> dict:
    background_tasks.add_task(build_report, 1, session)  # expect: DB107
    background_tasks.add_task(build_report, report_id=2, session=session)  # expect: DB107
    return {"queued": True}


@router.post("/reports/annotated")
async def request_annotated(
    tasks: BackgroundTasks,
    db: Annotated[AsyncSession, Depends(get_session_dependency)],
) -> dict:
    tasks.add_task(
        build_report,
        3,
        db,  # expect: DB107
    )
    return {"queued": True}
