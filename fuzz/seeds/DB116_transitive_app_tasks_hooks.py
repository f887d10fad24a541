import asyncio

from app.services import status


async def on_webhook(shipment_id: int) -> None:
    asyncio.create_task(status.refresh(shipment_id))  # expect: DB116
