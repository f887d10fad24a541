from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.session import get_session_dependency
from app.models import Contact, Project
from app.services.geocode import geocode

router = APIRouter(prefix="/projects", tags=["projects"])


class ProjectIn(BaseModel):
    name: str
    address: str | None = None


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_project(payload: ProjectIn, session: AsyncSession = Depends(get_session_dependency)):
    project = Project(name=payload.name, address=payload.address)
    if payload.address:
        coords = await geocode(payload.address)
        if coords:
            project.lat, project.lon = coords
    session.add(project)
    await session.flush()
    return {"id": project.id, "name": project.name, "lat": project.lat, "lon": project.lon}


@router.get("/{project_id}")
async def get_project(project_id: int, session: AsyncSession = Depends(get_session_dependency)):
    project = await session.get(Project, project_id)
    if project is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "project not found")
    contacts = await session.scalar(select(func.count()).select_from(Contact).where(Contact.project_id == project_id))
    return {"id": project.id, "name": project.name, "contacts": contacts}
