"""Batches, processed in the background."""
from uuid import UUID

from app.db.param_session import session_from_params


class BatchService:
    def __init__(self, chunk_size: int = 100):
        self.chunk_size = chunk_size

    async def process_batch_background(self, batch_id: UUID, db_params: dict):  # expect: DB104
        async with session_from_params(db_params) as session:
            return batch_id, session, self.chunk_size


class ArchiveService:
    """Same method name, no connection settings: not the one converted."""

    async def process_batch_background(self, batch_id: UUID):
        return batch_id


batch_service = BatchService()
archive_service = ArchiveService()
