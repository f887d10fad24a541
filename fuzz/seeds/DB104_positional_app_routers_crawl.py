from fastapi import APIRouter, BackgroundTasks, Depends

from app.dependencies import get_db_params
from app.services import crawl_service
from app.services.crawl_service import refresh_index

router = APIRouter()


@router.post("/refresh")
async def refresh(
    background_tasks: BackgroundTasks,
    db_params: dict = Depends(get_db_params),  # expect: DB104
):
    background_tasks.add_task(crawl_service.refresh_index, 7, db_params)  # expect: DB104
    return {"queued": True}


async def refresh_now(conn: dict):  # the value's name does not matter: where it lands does
    await refresh_index(
        7,
        conn,  # expect: DB104
    )
    await crawl_service.refresh_index(7)
