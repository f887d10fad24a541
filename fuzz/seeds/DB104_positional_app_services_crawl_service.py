import logging

logger = logging.getLogger(__name__)


async def refresh_index(index_id: int, db_params: dict | None = None):  # expect: DB104
    logger.info("refresh %s with %s", index_id, db_params)
