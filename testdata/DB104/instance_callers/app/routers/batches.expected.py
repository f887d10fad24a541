from fastapi import APIRouter, BackgroundTasks

from app.services.batch import archive_service, batch_service

router = APIRouter()


@router.post("/batches/{batch_id}")
async def start(
    batch_id: str,
    background_tasks: BackgroundTasks,
):
    background_tasks.add_task(
        batch_service.process_batch_background, batch_id  # expect: DB104
    )
    background_tasks.add_task(archive_service.process_batch_background, batch_id)
    return {"queued": True}
