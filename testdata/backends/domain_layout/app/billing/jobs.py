import logging
from datetime import date

from schedule import every

from app.database.core import SessionLocal
from app.scheduler import scheduler

from .service import issue_monthly_invoices

log = logging.getLogger(__name__)


@scheduler.add(every().day.at("02:00"), name="billing-monthly-invoices")
def monthly_invoices():
    today = date.today()
    if today.day != 1:
        return
    period_start = date(today.year - 1, 12, 1) if today.month == 1 else date(today.year, today.month - 1, 1)

    db_session = SessionLocal()
    try:
        issued = issue_monthly_invoices(db_session=db_session, period_start=period_start, period_end=today)
        db_session.commit()
        log.info("Issued %s invoices for %s.", issued, period_start.strftime("%Y-%m"))
    except Exception:
        db_session.rollback()
        log.exception("Monthly invoicing failed.")
    finally:
        db_session.close()
