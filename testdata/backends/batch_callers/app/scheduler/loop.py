import asyncio
import logging

from sqlalchemy import func, select

from app.config import settings
from app.db.params import get_db_params
from app.db.session import get_session
from app.models import PayoutBatch
from app.services.batch import batch_service
from app.services.ledger import ledger_service

logger = logging.getLogger(__name__)


async def tick() -> None:
    async with get_session() as session:
        due = (
            await session.scalars(
                select(PayoutBatch.id).where(PayoutBatch.status == "scheduled", PayoutBatch.run_at <= func.now())
            )
        ).all()
        unposted = (
            await session.scalars(
                select(PayoutBatch.id).where(PayoutBatch.status == "done", PayoutBatch.posted_at.is_(None))
            )
        ).all()
    for batch_id in due:
        await batch_service.process_batch_background(batch_id, db_params=get_db_params())
    for batch_id in unposted:
        await ledger_service.process_batch_background(batch_id)


async def run_scheduler(stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            await tick()
        except Exception:
            logger.exception("scheduler tick failed")
        try:
            await asyncio.wait_for(stop.wait(), timeout=settings.scheduler_poll_seconds)
        except asyncio.TimeoutError:
            pass
