# path: app/services/reports.py
"""A coroutine stored and then awaited or handed on is not dropped: no
finding (an added `await` would await it twice). A stored result used as a
value is still a missing `await`."""
import asyncio

from sqlalchemy.ext.asyncio import AsyncSession


async def with_timeout(session: AsyncSession, query):
    coro = session.execute(query)
    return await asyncio.wait_for(coro, timeout=5)


async def awaited_later(session: AsyncSession, query):
    pending = session.scalar(query)
    return await pending


async def shielded(session: AsyncSession):
    commit = session.flush()  # expect: DB106
    await asyncio.shield(commit)


async def forgotten(session: AsyncSession, query):
    result = await session.execute(query)  # expect: DB118
    return result.scalars().all()
