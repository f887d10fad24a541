from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from src.db.session import async_get_db
from src.models import Invoice
from src.schemas import InvoiceCreate, InvoiceRead

router = APIRouter(prefix="/invoices", tags=["invoices"])


@router.post("", response_model=InvoiceRead, status_code=201)
async def create_invoice(payload: InvoiceCreate, db: Annotated[AsyncSession, Depends(async_get_db)]):
    exists = await db.scalar(select(Invoice.id).where(Invoice.number == payload.number))
    if exists:
        raise HTTPException(status_code=409, detail="Invoice number already used")
    invoice = Invoice(**payload.model_dump())
    db.add(invoice)
    await db.flush()
    return invoice


@router.get("/{number}", response_model=InvoiceRead)
async def read_invoice(number: str, db: Annotated[AsyncSession, Depends(async_get_db)]):
    invoice = await db.scalar(select(Invoice).where(Invoice.number == number))
    if invoice is None:
        raise HTTPException(status_code=404, detail="Invoice not found")
    return invoice
