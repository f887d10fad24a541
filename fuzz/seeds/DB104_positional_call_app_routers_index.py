from fastapi import APIRouter, BackgroundTasks, Depends

from app.dependencies import get_db_params
from app.services import index_service
from app.services.index_service import refresh

router = APIRouter()


@router.post("/refresh")
async def refresh_route(background_tasks: BackgroundTasks, db_params: dict = Depends(get_db_params)):  # expect: DB104
    background_tasks.add_task(index_service.refresh, 7, db_params)  # expect: DB104
    return {"queued": True}


async def refresh_now(conn: dict):
    await refresh(7, conn, force=True)  # expect: DB104
    await refresh(7)
