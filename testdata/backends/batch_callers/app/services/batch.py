import logging
from collections.abc import Iterator, Sequence
from uuid import UUID

import httpx
from sqlalchemy import select

from app.config import settings
from app.db.direct import get_direct_session
from app.models import Payout, PayoutBatch

logger = logging.getLogger(__name__)


class BatchService:
    def __init__(self, chunk_size: int = 100):
        self.chunk_size = chunk_size

    def _chunks(self, items: Sequence) -> Iterator[Sequence]:
        for start in range(0, len(items), self.chunk_size):
            yield items[start : start + self.chunk_size]

    async def _send(self, client: httpx.AsyncClient, payouts: Sequence[Payout]) -> list[str]:
        response = await client.post(
            "/transfers/bulk",
            json=[{"iban": p.iban, "amount": str(p.amount), "end_to_end_id": str(p.id)} for p in payouts],
        )
        response.raise_for_status()
        return [t["reference"] for t in response.json()["transfers"]]

    async def process_batch_background(self, batch_id: UUID, db_params: dict) -> int:
        sent = 0
        async with get_direct_session(db_params) as session:
            batch = await session.get(PayoutBatch, batch_id)
            if batch is None:
                logger.warning("batch %s not found", batch_id)
                return 0
            batch.status = "processing"
            payouts = (
                await session.scalars(
                    select(Payout).where(Payout.batch_id == batch_id, Payout.status == "pending").order_by(Payout.id)
                )
            ).all()
            headers = {"Authorization": f"Bearer {settings.bank_api_token}"}
            async with httpx.AsyncClient(base_url=settings.bank_api_url, headers=headers, timeout=30) as client:
                for chunk in self._chunks(payouts):
                    references = await self._send(client, chunk)
                    for payout, reference in zip(chunk, references, strict=True):
                        payout.status = "sent"
                        payout.bank_reference = reference
                    await session.flush()
                    sent += len(chunk)
            batch.status = "done"
        logger.info("batch %s: %s payouts sent", batch_id, sent)
        return sent


batch_service = BatchService()
