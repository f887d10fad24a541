import logging

from sqlalchemy import func, update

from app.core.db import sessionmanager
from app.models import Note

logger = logging.getLogger(__name__)


async def reindex_note(note_id: int) -> None:
    async with sessionmanager.session() as session:
        await session.execute(
            update(Note).where(Note.id == note_id).values(search_vector=func.to_tsvector("simple", Note.body))
        )
    logger.debug("reindexed note %s", note_id)
