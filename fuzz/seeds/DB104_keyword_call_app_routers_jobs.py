from fastapi import APIRouter, BackgroundTasks, Depends

from app.dependencies import get_db_params
from app.services import jobs_service

router = APIRouter()


@router.post("/jobs")
async def start(
    tasks: BackgroundTasks,
    db_params: dict = Depends(get_db_params),  # expect: DB104
    job_id: int = 1,
):
    # the worker opens its own session
    tasks.add_task(
        jobs_service.run,
        job_id=job_id,
        db_params=db_params,  # expect: DB104
    )
    return {"queued": True}


@router.post("/jobs/again")
async def again(tasks: BackgroundTasks, db_params: dict = Depends(get_db_params)):  # expect: DB104
    tasks.add_task(jobs_service.run, db_params=db_params, job_id=2)  # expect: DB104
    return {"queued": True}
