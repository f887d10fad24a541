import asyncio

from fastapi import APIRouter, HTTPException
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.dependencies import Caller, CallerDep, DBSessionDep
from app.models import Notebook
from app.schemas import NoteIn, NoteOut
from app.services import notes as notes_service
from app.tasks.indexing import reindex_note

router = APIRouter(prefix="/notebooks/{notebook_id}/notes", tags=["notes"])


async def _notebook_or_404(session: AsyncSession, notebook_id: int, caller: Caller) -> Notebook:
    notebook = await session.get(Notebook, notebook_id)
    if notebook is None or notebook.tenant_id != caller.tenant_id:
        raise HTTPException(status_code=404, detail="notebook not found")
    return notebook


@router.post("", response_model=NoteOut, status_code=201)
async def add_note(notebook_id: int, payload: NoteIn, caller: CallerDep, session: DBSessionDep):
    notebook = await _notebook_or_404(session, notebook_id, caller)
    note = await notes_service.create_note(session, notebook, author_id=caller.user_id, body=payload.body)
    asyncio.create_task(reindex_note(note.id))
    return note


@router.patch("/{note_id}", response_model=NoteOut)
async def edit_note(notebook_id: int, note_id: int, payload: NoteIn, caller: CallerDep, session: DBSessionDep):
    await _notebook_or_404(session, notebook_id, caller)
    note = await notes_service.update_body(session, note_id, notebook_id, payload.body)
    if note is None:
        raise HTTPException(status_code=404, detail="note not found")
    return note
