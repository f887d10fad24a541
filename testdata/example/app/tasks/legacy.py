"""Legacy helpers kept alive for the v1 CSV importer/exporter.

TODO(PW-301): delete once the importer is moved onto app.db.session.
"""
import csv

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from ..db.session import async_session_factory, engine, get_session_dependency
from ..models import Shipment


async def get_session() -> AsyncSession:
    """Return a fresh session. The caller must close it."""
    session = async_session_factory()
    return session


async def purge_import_staging() -> None:
    async with async_session_factory() as s:
        await s.execute(text("TRUNCATE import_staging"))
        await s.commit()


async def import_batch(rows: list[dict]) -> None:
    session = AsyncSession(engine)
    try:
        session.add_all([Shipment(**row) for row in rows])
        await session.commit()
    finally:
        await session.close()


async def export_csv(path: str) -> int:
    with Session(engine.sync_engine) as s:
        rows = s.execute(text("SELECT tracking_number, carrier, status FROM shipments")).all()
    with open(path, "w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return len(rows)


async def lookup(tracking_number: str) -> Shipment | None:
    async for session in get_session_dependency():
        return await session.scalar(select(Shipment).where(Shipment.tracking_number == tracking_number))
