"""Delivery confirmations and scan events pushed by carrier webhooks."""
from datetime import datetime, timezone

from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, status
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.session import get_session_dependency
from app.models import DeliveryEvent, Shipment
from app.schemas.jobs import ScanEvent
from app.tasks.notifications import notify_customer

router = APIRouter(prefix="/deliveries", tags=["deliveries"])


@router.post("/{shipment_id}/confirm")
async def confirm_delivery(
    shipment_id: int,
    background_tasks: BackgroundTasks,
    session: AsyncSession = Depends(get_session_dependency),
) -> dict:
    async with session.begin():
        shipment = await session.get(Shipment, shipment_id)
        if shipment is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "shipment not found")
        shipment.status = "delivered"
        shipment.delivered_at = datetime.now(timezone.utc)
        background_tasks.add_task(notify_customer, shipment.id)
    return {"id": shipment.id, "status": shipment.status}


@router.post("/{shipment_id}/events", status_code=status.HTTP_201_CREATED)
async def record_scan_event(
    shipment_id: int,
    event: ScanEvent,
    session: AsyncSession = Depends(get_session_dependency),
) -> dict:
    row = DeliveryEvent(shipment_id=shipment_id, kind=event.kind, note=event.note)
    session.add(row)
    await session.flush()
    session.refresh(row)
    return {"id": row.id, "kind": row.kind, "created_at": row.created_at}
