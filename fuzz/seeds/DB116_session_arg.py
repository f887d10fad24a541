# path: app/services/audit.py
import asyncio

from sqlalchemy.ext.asyncio import AsyncSession


async def write_audit(session: AsyncSession, text: str) -> None:
    await session.flush()


async def record(session: AsyncSession, text: str) -> None:
    asyncio.create_task(  # expect: DB116
        write_audit(session, text)
    )
