# path: app/routers/invoices.py
"""Outside the service layer DB106 does not apply."""
from sqlalchemy.ext.asyncio import AsyncSession


async def create(session: AsyncSession, amount: int):
    session.add(amount)
    await session.commit()
