# path: app/tasks/fanout.py
import asyncio
from asyncio import create_task, ensure_future

from app.db.session import get_session


async def sync_status(shipment_id: int) -> None:
    async with get_session() as session:
        await session.execute("select 1")


async def on_scan(shipment_id: int) -> None:
    asyncio.create_task(sync_status(shipment_id))  # expect: DB116
    create_task(sync_status(shipment_id))  # expect: DB116
    ensure_future(sync_status(shipment_id))  # expect: DB116
    loop = asyncio.get_running_loop()
    loop.create_task(sync_status(shipment_id))  # expect: DB116
