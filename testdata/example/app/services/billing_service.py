"""Invoicing for delivered shipments."""
import logging

import transaction  # zope transaction manager used by the ledger export
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Invoice

logger = logging.getLogger(__name__)

RATE_CENTS = {"ups": 850, "dhl": 790, "postnl": 495}


async def create_invoice(session: AsyncSession, shipment_id: int, carrier: str) -> Invoice:
    invoice = Invoice(shipment_id=shipment_id, amount_cents=RATE_CENTS.get(carrier, 999))
    session.add(invoice)
    await session.commit()
    return invoice


async def settle_invoice(session: AsyncSession, invoice_id: int) -> None:
    invoice = await session.get(Invoice, invoice_id)
    try:
        invoice.status = "settled"
        await session.commit()
    except Exception:
        logger.exception("could not settle invoice %s", invoice_id)
        await session.rollback()
        raise


async def void_invoices(session: AsyncSession, invoice_ids: list[int]) -> int:
    async with session.begin():
        invoices = await session.scalars(select(Invoice).where(Invoice.id.in_(invoice_ids)))
        count = 0
        for invoice in invoices:
            invoice.status = "void"
            count += 1
    return count


def export_to_ledger(ledger, invoices: list[Invoice]) -> None:
    """Push settled invoices to the accounting ledger (ZODB-backed)."""
    for invoice in invoices:
        ledger[invoice.id] = invoice.amount_cents
    transaction.commit()
