from fastapi import APIRouter, BackgroundTasks

from app.jobs import cleanup

router = APIRouter(prefix="/admin", tags=["admin"])


@router.post("/reservations/purge", status_code=202)
def purge_reservations(background_tasks: BackgroundTasks, older_than_hours: int | None = None):
    background_tasks.add_task(cleanup.purge_stale_reservations, older_than_hours)
    return {"scheduled": True}
