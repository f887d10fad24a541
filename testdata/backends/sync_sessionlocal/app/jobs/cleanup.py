import logging
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete

from app.config import settings
from app.database import SessionLocal
from app.models import Reservation

logger = logging.getLogger(__name__)


def purge_stale_reservations(older_than_hours: int | None = None) -> int:
    hours = settings.reservation_ttl_hours if older_than_hours is None else older_than_hours
    cutoff = datetime.now(timezone.utc) - timedelta(hours=hours)
    with SessionLocal() as db:
        result = db.execute(delete(Reservation).where(Reservation.created_at < cutoff))
        db.commit()
    logger.info("purged %s reservations older than %sh", result.rowcount, hours)
    return result.rowcount
