# path: app/services/report_service.py
from sqlalchemy.ext.asyncio import AsyncSession


async def helper(session: AsyncSession) -> None:
    await session.flush()


async def run_now(session: AsyncSession) -> None:
    # awaited in place with the caller's session: no background work
    await helper(session)
