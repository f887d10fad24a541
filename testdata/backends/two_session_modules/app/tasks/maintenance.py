import logging
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete

from app.db.direct import get_raw_connection
from app.db.session import get_session
from app.models import ImportJob

logger = logging.getLogger(__name__)


async def purge_finished_imports(days: int = 30) -> int:
    cutoff = datetime.now(timezone.utc) - timedelta(days=days)
    async with get_session() as session:
        result = await session.execute(
            delete(ImportJob).where(ImportJob.status == "done", ImportJob.finished_at < cutoff)
        )
    logger.info("purged %s finished imports", result.rowcount)
    return result.rowcount


async def vacuum_contacts() -> None:
    # VACUUM cannot run inside a transaction block
    conn = await get_raw_connection()
    try:
        await conn.execute("VACUUM (ANALYZE) contacts")
    finally:
        await conn.close()
