import logging

from fastapi import APIRouter, BackgroundTasks, Depends

from app.dependencies import get_db_params
from app.services import sync_service

logger = logging.getLogger(__name__)
router = APIRouter()


@router.post("/sync")
async def sync(tasks: BackgroundTasks, db_params: dict = Depends(get_db_params)):  # expect: DB104
    logger.info("syncing against %s", db_params["host"])
    tasks.add_task(sync_service.sync_all, db_params=db_params)  # expect: DB104
    return {"queued": True}
