from fastapi import APIRouter, BackgroundTasks

from app.services import index_service
from app.services.index_service import refresh

router = APIRouter()


@router.post("/refresh")
async def refresh_route(background_tasks: BackgroundTasks):  # expect: DB104
    background_tasks.add_task(index_service.refresh, 7)  # expect: DB104
    return {"queued": True}


async def refresh_now(conn: dict):
    await refresh(7, force=True)  # expect: DB104
    await refresh(7)
