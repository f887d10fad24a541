"""Batches, processed in the background with connection settings."""
from app.db.param_session import session_from_params


class BatchService:
    async def process_batch_background(self, batch_id: int, db_params: dict):  # expect: DB104
        async with session_from_params(db_params) as session:
            return batch_id, session
