"""Nightly reconciliation of in-transit shipments against carrier data."""
import logging

from sqlalchemy import select

from app.clients.carrier_api import CarrierClient
from app.db.session import async_session_factory
from app.models import Shipment

logger = logging.getLogger(__name__)


async def reconcile_carrier(carrier: str) -> int:
    """Return the number of shipments whose status changed."""
    client = CarrierClient()
    changed = 0
    async with async_session_factory() as session:
        stmt = select(Shipment).where(Shipment.carrier == carrier, Shipment.status == "in_transit")
        for shipment in await session.scalars(stmt):
            info = await client.fetch_status(carrier, shipment.tracking_number)
            if info.get("status") and info["status"] != shipment.status:
                shipment.status = info["status"]
                changed += 1
        await session.commit()
    logger.info("reconciled %s: %d changed", carrier, changed)
    return changed
