# path: app/tasks/fine.py
import asyncio

import aiohttp

from app.db.session import get_session


async def refresh(shipment_id):
    async with get_session() as session:
        await session.execute("select 1")


async def one_session_each(ids):
    await asyncio.gather(*[refresh(i) for i in ids])


async def single(session_id):
    async with get_session() as session:
        await asyncio.gather(refresh(1), session.execute("select 1"))


async def separate(ids):
    async with get_session() as a, get_session() as b:
        await asyncio.gather(a.execute("select 1"), b.execute("select 2"))


async def http(urls):
    async with aiohttp.ClientSession() as session:
        await asyncio.gather(session.get(urls[0]), session.get(urls[1]))


async def sequential(ids):
    async with get_session() as session:
        for i in ids:
            await session.execute("select 1")
        async with asyncio.TaskGroup() as tg:
            tg.create_task(refresh(1))
            tg.create_task(refresh(2))
            tg.create_task(log(session))


async def log(session):
    await session.execute("select 1")
