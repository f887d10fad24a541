# path: app/tasks/refresh.py
import asyncio

from app.db.session import get_session


async def refresh(session, shipment_id):
    await session.execute("select 1")


async def refresh_all(ids):
    async with get_session() as session:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(refresh(session, 1))  # expect: DB117
            tg.create_task(refresh(session, 2))


async def refresh_loop(ids):
    async with get_session() as session:
        async with asyncio.TaskGroup() as tg:
            for shipment_id in ids:
                tg.create_task(refresh(session, shipment_id))  # expect: DB117
