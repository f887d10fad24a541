from fastapi import APIRouter, BackgroundTasks, Depends

from app.dependencies import get_db_params
from app.services.batch import archive_service, batch_service

router = APIRouter()


@router.post("/batches/{batch_id}")
async def start(
    batch_id: str,
    background_tasks: BackgroundTasks,
    db_params: dict = Depends(get_db_params),  # expect: DB104
):
    background_tasks.add_task(
        batch_service.process_batch_background, batch_id, db_params=db_params  # expect: DB104
    )
    background_tasks.add_task(archive_service.process_batch_background, batch_id)
    return {"queued": True}
