from fastapi import APIRouter, BackgroundTasks, Depends

from app.dependencies import get_db_params
from app.services import report_service

router = APIRouter()


@router.post("/reports")
async def build(tasks: BackgroundTasks, db_params: dict = Depends(get_db_params)):  # expect: DB104
    tasks.add_task(report_service.build_report, 3, db_params=db_params)  # expect: DB104
    return {"queued": True}
