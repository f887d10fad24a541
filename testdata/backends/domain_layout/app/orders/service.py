from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .models import Order, OrderCreate


def get(*, db_session: Session, order_id: int) -> Order | None:
    return db_session.get(Order, order_id)


def get_all(*, db_session: Session, tenant_id: int, status: str | None = None) -> list[Order]:
    stmt = select(Order).where(Order.tenant_id == tenant_id).order_by(Order.created_at.desc())
    if status:
        stmt = stmt.where(Order.status == status)
    return list(db_session.scalars(stmt))


def create(*, db_session: Session, tenant_id: int, order_in: OrderCreate) -> Order:
    order = Order(tenant_id=tenant_id, **order_in.model_dump())
    db_session.add(order)
    db_session.commit()
    return order


def expire_unpaid(*, db_session: Session, older_than: datetime) -> int:
    result = db_session.execute(
        update(Order)
        .where(Order.status == "pending", Order.created_at < older_than)
        .values(status="expired")
    )
    return result.rowcount
