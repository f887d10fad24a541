from fastapi import APIRouter, BackgroundTasks

from app.services import jobs_service

router = APIRouter()


@router.post("/jobs")
async def start(
    tasks: BackgroundTasks,
    job_id: int = 1,
):
    # the worker opens its own session
    tasks.add_task(
        jobs_service.run,
        job_id=job_id,
    )
    return {"queued": True}


@router.post("/jobs/again")
async def again(tasks: BackgroundTasks):  # expect: DB104
    tasks.add_task(jobs_service.run, job_id=2)  # expect: DB104
    return {"queued": True}
