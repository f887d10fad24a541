from datetime import datetime
from decimal import Decimal
from uuid import UUID

from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, status
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.params import get_db_params
from app.db.session import get_session_dependency
from app.models import Payout, PayoutBatch
from app.services.batch import batch_service

router = APIRouter(prefix="/batches", tags=["batches"])


class PayoutIn(BaseModel):
    iban: str
    amount: Decimal


class BatchIn(BaseModel):
    payouts: list[PayoutIn]
    run_at: datetime | None = None


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_batch(payload: BatchIn, session: AsyncSession = Depends(get_session_dependency)):
    batch = PayoutBatch(status="scheduled" if payload.run_at else "draft", run_at=payload.run_at)
    session.add(batch)
    await session.flush()
    session.add_all([Payout(batch_id=batch.id, iban=p.iban, amount=p.amount) for p in payload.payouts])
    return {"id": batch.id, "status": batch.status}


@router.post("/{batch_id}/submit", status_code=status.HTTP_202_ACCEPTED)
async def submit_batch(
    batch_id: UUID,
    background_tasks: BackgroundTasks,
    session: AsyncSession = Depends(get_session_dependency),
    db_params: dict = Depends(get_db_params),
):
    batch = await session.get(PayoutBatch, batch_id)
    if batch is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "batch not found")
    if batch.status != "draft":
        raise HTTPException(status.HTTP_409_CONFLICT, f"batch is {batch.status}")
    batch.status = "queued"
    background_tasks.add_task(batch_service.process_batch_background, batch.id, db_params=db_params)
    return {"id": batch.id, "status": batch.status}
