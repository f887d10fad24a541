from fastapi import APIRouter, Depends, Header, HTTPException, status
from sqlalchemy.orm import Session

from app.database.core import get_db

from . import service
from .models import InvoiceRead

router = APIRouter()


@router.get("/invoices", response_model=list[InvoiceRead])
def list_open_invoices(x_tenant_id: int = Header(...), db_session: Session = Depends(get_db)):
    return service.list_open(db_session=db_session, tenant_id=x_tenant_id)


@router.post("/invoices/{invoice_id}/pay", response_model=InvoiceRead)
def pay_invoice(invoice_id: int, x_tenant_id: int = Header(...), db_session: Session = Depends(get_db)):
    invoice = service.get(db_session=db_session, invoice_id=invoice_id)
    if not invoice or invoice.tenant_id != x_tenant_id:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Invoice not found.")
    if invoice.status != "open":
        raise HTTPException(status_code=status.HTTP_409_CONFLICT, detail="Invoice is not open.")
    return service.mark_paid(db_session=db_session, invoice=invoice)


@router.get("/revenue")
def get_revenue(granularity: str = "month", x_tenant_id: int = Header(...), db_session: Session = Depends(get_db)):
    try:
        return service.revenue(db_session=db_session, tenant_id=x_tenant_id, granularity=granularity)
    except ValueError as e:
        raise HTTPException(status_code=status.HTTP_400_BAD_REQUEST, detail=str(e)) from None
