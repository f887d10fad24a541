from datetime import date, datetime, timezone

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.orders.models import Order

from .models import Invoice

GRANULARITIES = ("day", "week", "month")


def get(*, db_session: Session, invoice_id: int) -> Invoice | None:
    return db_session.get(Invoice, invoice_id)


def list_open(*, db_session: Session, tenant_id: int) -> list[Invoice]:
    return (
        db_session.query(Invoice)
        .filter(Invoice.tenant_id == tenant_id, Invoice.status == "open")
        .order_by(Invoice.issued_at)
        .all()
    )


def mark_paid(*, db_session: Session, invoice: Invoice) -> Invoice:
    invoice.status = "paid"
    invoice.paid_at = datetime.now(timezone.utc)
    db_session.commit()
    return invoice


def revenue(*, db_session: Session, tenant_id: int, granularity: str = "month") -> list[dict]:
    if granularity not in GRANULARITIES:
        raise ValueError(f"Unsupported granularity: {granularity}")
    sql = text(
        f"SELECT date_trunc('{granularity}', paid_at) AS bucket, sum(amount_cents) AS cents "
        f"FROM invoices WHERE tenant_id = :tenant_id AND status = 'paid' "
        f"GROUP BY bucket ORDER BY bucket"
    )
    return [dict(row) for row in db_session.execute(sql, {"tenant_id": tenant_id}).mappings()]


def issue_monthly_invoices(*, db_session: Session, period_start: date, period_end: date) -> int:
    totals = db_session.execute(
        select(Order.tenant_id, func.sum(Order.total_cents))
        .where(Order.status == "paid", Order.created_at >= period_start, Order.created_at < period_end)
        .group_by(Order.tenant_id)
    ).all()
    period = period_start.strftime("%Y-%m")
    for tenant_id, cents in totals:
        db_session.add(Invoice(tenant_id=tenant_id, period=period, amount_cents=cents))
    db_session.flush()
    return len(totals)
