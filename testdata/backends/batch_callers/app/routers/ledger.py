from uuid import UUID

from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, status
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.session import get_session_dependency
from app.models import PayoutBatch
from app.services.ledger import ledger_service

router = APIRouter(prefix="/ledger", tags=["ledger"])


@router.post("/batches/{batch_id}", status_code=status.HTTP_202_ACCEPTED)
async def post_batch(batch_id: UUID, background_tasks: BackgroundTasks, session: AsyncSession = Depends(get_session_dependency)):
    batch = await session.get(PayoutBatch, batch_id)
    if batch is None or batch.status != "done":
        raise HTTPException(status.HTTP_409_CONFLICT, "only finished batches can be posted")
    background_tasks.add_task(ledger_service.process_batch_background, batch.id)
    return {"id": batch.id, "posting": True}
