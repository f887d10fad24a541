# path: app/services/summary.py
import asyncio
from asyncio import gather as run_all

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession


async def count_open(session: AsyncSession, tenant_id: int) -> int:
    return await session.scalar(select(1))


async def count_late(session: AsyncSession, tenant_id: int) -> int:
    return await session.scalar(select(1))


async def summary(session: AsyncSession, tenant_id: int):
    return await asyncio.gather(count_open(session, tenant_id), count_late(session, tenant_id))  # expect: DB117


async def direct(session: AsyncSession):
    return await run_all(session.execute(select(1)), session.execute(select(2)))  # expect: DB117


async def fan_out(session: AsyncSession, ids: list[int]):
    return await asyncio.gather(  # expect: DB117
        *[count_open(session, i) for i in ids]
    )


async def keyword(session: AsyncSession):
    await asyncio.gather(count_open(session=session, tenant_id=1), count_late(session, 2))  # expect: DB117
