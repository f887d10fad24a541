from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, status
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.session import get_session_dependency
from app.models import Export, Project
from app.services import exports as exports_service

router = APIRouter(prefix="/projects/{project_id}/exports", tags=["exports"])


@router.post("", status_code=status.HTTP_202_ACCEPTED)
async def request_export(
    project_id: int,
    background_tasks: BackgroundTasks,
    session: AsyncSession = Depends(get_session_dependency),
):
    if await session.get(Project, project_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "project not found")
    export = Export(project_id=project_id)
    session.add(export)
    await session.flush()
    background_tasks.add_task(exports_service.build_export, export.id)
    return {"id": export.id}
