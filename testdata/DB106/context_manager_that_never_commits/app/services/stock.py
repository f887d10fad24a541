"""A service that commits its caller's session, in a project whose
dependency does not commit: reported, never turned into a flush."""
from sqlalchemy.ext.asyncio import AsyncSession


async def adjust(session: AsyncSession, item, delta: int):
    item.stock += delta
    await session.commit()  # expect: DB106
