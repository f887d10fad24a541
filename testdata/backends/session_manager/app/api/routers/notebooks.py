from fastapi import APIRouter, HTTPException

from app.api.dependencies import CallerDep, DBSessionDep
from app.models import Notebook
from app.schemas import NotebookIn, NotebookOut
from app.services import notes as notes_service

router = APIRouter(prefix="/notebooks", tags=["notebooks"])


@router.post("", response_model=NotebookOut, status_code=201)
async def create_notebook(payload: NotebookIn, caller: CallerDep, session: DBSessionDep):
    notebook = Notebook(tenant_id=caller.tenant_id, title=payload.title)
    session.add(notebook)
    await session.flush()
    await session.refresh(notebook)
    return notebook


@router.get("/{notebook_id}", response_model=NotebookOut)
async def get_notebook(notebook_id: int, caller: CallerDep, session: DBSessionDep):
    notebook = await session.get(Notebook, notebook_id)
    if notebook is None or notebook.tenant_id != caller.tenant_id:
        raise HTTPException(status_code=404, detail="notebook not found")
    return notebook


@router.get("/stats/note-counts")
async def note_counts(caller: CallerDep, session: DBSessionDep) -> dict[int, int]:
    return await notes_service.count_by_notebook(session, caller.tenant_id)
