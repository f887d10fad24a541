"""Carrier crawls: pull tracking pages and refresh the tenant search index."""
import logging

from sqlalchemy import select, text

from app.clients.carrier_api import CarrierClient
from app.db.direct_session import get_direct_session
from app.models import CrawlJob, Shipment

logger = logging.getLogger(__name__)


async def run_crawl(job_id: str, db_params: dict):
    """Fetch the latest status for every open shipment of the job's carrier."""
    client = CarrierClient()
    async with get_direct_session(db_params) as session:
        job = await session.get(CrawlJob, job_id)
        job.status = "running"
        stmt = select(Shipment).where(Shipment.carrier == job.carrier, Shipment.status == "open")
        for shipment in await session.scalars(stmt):
            info = await client.fetch_status(shipment.carrier, shipment.tracking_number)
            shipment.status = info.get("status", shipment.status)
            job.pages_seen += 1
        job.status = "done"
    logger.info("crawl %s finished", job_id)


async def refresh_index(index_id: int, db_params: dict):
    """Rebuild the materialized search view backing a tenant's index."""
    async with get_direct_session(db_params) as session:
        await session.execute(text("REFRESH MATERIALIZED VIEW CONCURRENTLY shipment_search"))
    logger.info("search index %s refreshed", index_id)
