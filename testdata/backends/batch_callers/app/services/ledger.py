import logging
from datetime import datetime, timezone
from uuid import UUID

from sqlalchemy import func, select

from app.db.session import get_session
from app.models import LedgerEntry, Payout, PayoutBatch

logger = logging.getLogger(__name__)


class LedgerService:
    async def process_batch_background(self, batch_id: UUID) -> None:
        async with get_session() as session:
            batch = await session.get(PayoutBatch, batch_id)
            if batch is None or batch.posted_at is not None:
                return
            total = await session.scalar(
                select(func.coalesce(func.sum(Payout.amount), 0)).where(
                    Payout.batch_id == batch_id, Payout.status == "sent"
                )
            )
            session.add(LedgerEntry(batch_id=batch_id, total=total))
            batch.posted_at = datetime.now(timezone.utc)
        logger.info("batch %s posted to the ledger", batch_id)


ledger_service = LedgerService()
