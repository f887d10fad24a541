# path: app/tasks/tracked.py
import asyncio

from app.db.session import get_session

_tasks: set[asyncio.Task] = set()


async def sync_status(shipment_id: int) -> None:
    async with get_session() as session:
        await session.execute("select 1")


async def send_email(address: str) -> None:
    await asyncio.sleep(0)


async def kept(shipment_id: int) -> None:
    task = asyncio.create_task(sync_status(shipment_id))
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)
    await asyncio.create_task(sync_status(shipment_id))
    _tasks.add(asyncio.create_task(sync_status(shipment_id)))
    # no database work: out of scope
    asyncio.create_task(send_email("a@example.com"))


async def grouped(ids: list[int]) -> None:
    async with asyncio.TaskGroup() as tg:
        for shipment_id in ids:
            tg.create_task(sync_status(shipment_id))
