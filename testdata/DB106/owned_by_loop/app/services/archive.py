from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Event


async def archive_events(session: AsyncSession) -> None:
    for batch in range(10):
        await session.execute(delete(Event).where(Event.batch == batch))
        await session.commit()  # expect: DB106?


async def import_feed(session: AsyncSession, rows: list) -> None:
    """Imports a feed; this function owns its transaction and commits once."""
    session.add_all(rows)
    await session.commit()  # expect: DB106?


async def rename(session: AsyncSession, event: Event, name: str) -> None:
    # Called from a request: the caller owns the transaction.
    event.name = name
    await session.commit()  # expect: DB106
