"""Periodic jobs, registered on startup from app.main."""
import logging
from datetime import datetime, timezone

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import select, text

import app.db.session as db
from app.db.direct_session import direct_engine
from app.db.direct_session import get_raw_connection
from app.models import Shipment
from app.tasks.cleanup import archive_delivered

logger = logging.getLogger(__name__)


async def analyze_tracking_events() -> None:
    async with direct_engine.connect() as conn:
        await conn.execute(text("ANALYZE delivery_events"))


async def flag_late_shipments() -> int:
    db.engine.pool_size = 20  # nightly burst
    session = await db.get_session()
    stmt = select(Shipment).where(Shipment.status == "in_transit", Shipment.eta < datetime.now(timezone.utc))
    stmt = stmt.execution_options(prepared_statement_cache_size=0)
    late = list(await session.scalars(stmt))
    for shipment in late:
        shipment.status = "late"
    return len(late)


async def check_replica_lag() -> None:
    conn = await get_raw_connection()
    try:
        lag = await conn.driver_connection.fetchval("SELECT now() - pg_last_xact_replay_timestamp()")
        logger.info("replica lag: %s", lag)
    finally:
        conn.close()


def register_jobs() -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(analyze_tracking_events, "cron", hour=3)
    scheduler.add_job(flag_late_shipments, "interval", minutes=30)
    scheduler.add_job(archive_delivered, "cron", hour=4)
    scheduler.add_job(check_replica_lag, "interval", minutes=5)
    return scheduler
