"""Housekeeping: archive delivered shipments past the retention window."""
from datetime import datetime, timedelta, timezone

from sqlalchemy import update

from app.db.session import async_session_factory
from app.db.session import get_session
from app.models import Shipment

RETENTION = timedelta(days=90)


async def archive_delivered() -> None:
    cutoff = datetime.now(timezone.utc) - RETENTION
    async with get_session() as session:
        stmt = update(Shipment).where(Shipment.status == "delivered", Shipment.delivered_at < cutoff)
        await session.execute(stmt.values(status="archived"))
        session.commit()
