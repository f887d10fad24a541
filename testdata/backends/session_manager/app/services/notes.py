from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Note, Notebook


async def create_note(session: AsyncSession, notebook: Notebook, *, author_id: int, body: str) -> Note:
    note = Note(tenant_id=notebook.tenant_id, notebook_id=notebook.id, author_id=author_id, body=body)
    session.add(note)
    await session.commit()
    await session.refresh(note)
    return note


async def update_body(session: AsyncSession, note_id: int, notebook_id: int, body: str) -> Note | None:
    note = await session.scalar(select(Note).where(Note.id == note_id, Note.notebook_id == notebook_id))
    if note is None:
        return None
    note.body = body
    await session.flush()
    return note


async def count_by_notebook(session: AsyncSession, tenant_id: int) -> dict[int, int]:
    result = await session.execute(
        text("SELECT notebook_id, count(*) FROM notes WHERE tenant_id = :tenant_id GROUP BY notebook_id"),
        {"tenant_id": tenant_id},
    )
    return {notebook_id: n for notebook_id, n in result.all()}
