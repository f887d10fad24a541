# path: app/routers/jobs.py
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends

from app.dependencies import get_db_params as params_provider
from app.services import jobs_service

router = APIRouter()


@router.post("/jobs")
async def start(
    tasks: BackgroundTasks,
    db_params: dict = Depends(params_provider),  # expect: DB104
):
    tasks.add_task(jobs_service.run, job_id=1, db_params=db_params)  # expect: DB104
    return {"queued": True}


@router.post("/other")
async def other(
    settings: Annotated[dict, Depends(params_provider)],  # expect: DB104
):
    return {"url": settings["url"]}


def build_worker(*, name: str, **db_params):  # expect: DB104
    return name, db_params
