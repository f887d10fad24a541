# path: app/routers/deliveries.py
from fastapi import APIRouter, BackgroundTasks, Depends
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.session import get_session_dependency

router = APIRouter()


async def notify_customer(shipment_id: int) -> None:
    return None


@router.post("/{shipment_id}/confirm")
async def confirm(
    shipment_id: int,
    background_tasks: BackgroundTasks,
    session: AsyncSession = Depends(get_session_dependency),
) -> dict:
    async with session.begin():
        await session.execute("update shipments set status = 'delivered'")
        background_tasks.add_task(notify_customer, shipment_id)  # expect: DB110
    return {"id": shipment_id}
