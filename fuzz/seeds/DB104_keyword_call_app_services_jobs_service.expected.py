"""Job worker."""
import logging

from app.db.session import get_session

logger = logging.getLogger(__name__)


async def run(
    job_id: int,
):
    async with get_session() as session:
        logger.info("job %s on %s", job_id, session)
