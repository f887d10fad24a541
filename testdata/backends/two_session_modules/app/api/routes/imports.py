from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, UploadFile, status
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.deps import get_db_params
from app.db.session import get_session_dependency
from app.models import ImportJob, Project
from app.services import imports as imports_service

router = APIRouter(prefix="/projects/{project_id}/imports", tags=["imports"])


@router.post("", status_code=status.HTTP_201_CREATED)
async def upload_import(project_id: int, file: UploadFile, session: AsyncSession = Depends(get_session_dependency)):
    if await session.get(Project, project_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "project not found")
    job = ImportJob(project_id=project_id, payload=(await file.read()).decode("utf-8-sig"))
    session.add(job)
    await session.flush()
    return {"id": job.id, "status": job.status}


@router.post("/{import_id}/run", status_code=status.HTTP_202_ACCEPTED)
async def run_import(
    project_id: int,
    import_id: int,
    background_tasks: BackgroundTasks,
    session: AsyncSession = Depends(get_session_dependency),
    db_params: dict = Depends(get_db_params),
):
    job = await session.get(ImportJob, import_id)
    if job is None or job.project_id != project_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "import not found")
    if job.status not in ("uploaded", "failed"):
        raise HTTPException(status.HTTP_409_CONFLICT, f"import is {job.status}")
    job.status = "queued"
    background_tasks.add_task(imports_service.process, job.id, db_params=db_params)
    return {"id": job.id, "status": job.status}
