"""Job worker."""
import logging

from app.db.param_session import session_from_params

logger = logging.getLogger(__name__)


async def run(
    job_id: int,
    db_params: dict,  # expect: DB104
):
    async with session_from_params(db_params) as session:
        logger.info("job %s on %s", job_id, session)
