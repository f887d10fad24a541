# path: app/tasks/sync_code.py
import asyncio

import aiohttp
from sqlalchemy.orm import Session

from app.db.session import get_session


def sync_commit(session: Session):
    session.commit()
    session.execute("select 1")


async def awaited():
    async with get_session() as session:
        session.add(object())
        await session.commit()
        await session.refresh(object())
        await asyncio.gather(session.execute("select 1"))

        def inner():
            session.commit()

        return inner


async def http(url):
    async with aiohttp.ClientSession() as session:
        session.get(url)


async def unknown(session, other):
    session.commit()
    other.commit()
