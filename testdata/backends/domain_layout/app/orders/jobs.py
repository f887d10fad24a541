import logging
from datetime import datetime, timedelta, timezone

from schedule import every

from app import config
from app.database.core import session_scope
from app.scheduler import scheduler

from .service import expire_unpaid

log = logging.getLogger(__name__)


@scheduler.add(every(15).minutes, name="orders-expire-unpaid")
def expire_unpaid_orders():
    cutoff = datetime.now(timezone.utc) - timedelta(hours=config.ORDER_PAYMENT_WINDOW_HOURS)
    with session_scope() as db_session:
        expired = expire_unpaid(db_session=db_session, older_than=cutoff)
    log.info("Expired %s unpaid orders.", expired)
