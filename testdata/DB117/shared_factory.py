# path: app/tasks/fanout.py
"""Coroutines that share the factory, each opening its own session: the
recommended pattern, not a shared session."""
import asyncio

from app.db.session import async_session_factory, get_session  # expect: DB101


async def refresh_one(factory, shipment_id):
    async with factory() as session:
        await session.execute("select 1")


async def fan_out(ids):
    await asyncio.gather(*[refresh_one(async_session_factory, i) for i in ids])


async def fan_out_provider(ids):
    async with asyncio.TaskGroup() as tg:
        for i in ids:
            tg.create_task(refresh_with(get_session, i))


async def refresh_with(provider, shipment_id):
    async with provider() as session:
        await session.execute("select 1")
