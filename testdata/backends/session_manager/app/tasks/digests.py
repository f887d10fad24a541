import logging
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from app.core.db import sessionmanager
from app.models import Note

logger = logging.getLogger(__name__)


async def send_daily_digests(ctx: dict) -> int:
    since = datetime.now(timezone.utc) - timedelta(days=1)
    async with sessionmanager._sessionmaker() as session:
        rows = await session.execute(
            select(Note.tenant_id, func.count(Note.id)).where(Note.updated_at >= since).group_by(Note.tenant_id)
        )
        counts = dict(rows.all())
    for tenant_id, changed in counts.items():
        await ctx["redis"].enqueue_job("email_digest", tenant_id, changed, _queue_name="mailer")
    logger.info("queued %d digests", len(counts))
    return len(counts)
