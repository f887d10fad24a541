from fastapi import APIRouter, Depends, Header, HTTPException, status
from sqlalchemy.orm import Session

from app.database.core import get_db

from . import service
from .models import OrderCreate, OrderRead

router = APIRouter()


@router.get("", response_model=list[OrderRead])
def list_orders(order_status: str | None = None, x_tenant_id: int = Header(...), db_session: Session = Depends(get_db)):
    return service.get_all(db_session=db_session, tenant_id=x_tenant_id, status=order_status)


@router.post("", response_model=OrderRead, status_code=status.HTTP_201_CREATED)
def create_order(order_in: OrderCreate, x_tenant_id: int = Header(...), db_session: Session = Depends(get_db)):
    return service.create(db_session=db_session, tenant_id=x_tenant_id, order_in=order_in)


@router.get("/{order_id}", response_model=OrderRead)
def get_order(order_id: int, x_tenant_id: int = Header(...), db_session: Session = Depends(get_db)):
    order = service.get(db_session=db_session, order_id=order_id)
    if not order or order.tenant_id != x_tenant_id:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Order not found.")
    return order
