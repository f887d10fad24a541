"""Customer notifications and carrier status sync (background work).

Each task opens its own session with ``get_session()`` and owns it.
"""
import asyncio
import logging
from datetime import datetime, timezone

from app.clients.carrier_api import CarrierClient
from app.db.session import get_session
from app.models import DeliveryEvent, Shipment

logger = logging.getLogger(__name__)


async def notify_customer(shipment_id: int) -> None:
    """Send the 'your parcel was delivered' e-mail and stamp the shipment."""
    async with get_session() as session:
        shipment = await session.get(Shipment, shipment_id)
        if shipment is None or shipment.notified_at is not None:
            return
        shipment.notified_at = datetime.now(timezone.utc)
        # Commit before e-mailing so a retry never sends twice.
        await session.commit()
    logger.info("delivery notice queued for %s", shipment_id)


async def sync_carrier_status(shipment_id: int) -> None:
    """Pull the carrier's latest scan and store it as a delivery event."""
    async with get_session() as session:
        shipment = await session.get(Shipment, shipment_id)
        info = await CarrierClient().fetch_status(shipment.carrier, shipment.tracking_number)
        session.add(DeliveryEvent(shipment_id=shipment_id, kind=info["kind"], note=info.get("note")))
        shipment.status = info.get("status", shipment.status)


async def on_scan_received(shipment_id: int) -> None:
    """Webhook fan-out: don't make the carrier wait for our sync."""
    asyncio.create_task(sync_carrier_status(shipment_id))
