import logging
from datetime import date, timedelta

from sqlalchemy import select, update

from src.db.session import async_session
from src.models import Invoice

logger = logging.getLogger(__name__)


async def mark_overdue_invoices(ctx: dict) -> int:
    async with async_session() as db:
        result = await db.execute(
            update(Invoice).where(Invoice.status == "open", Invoice.due_on < date.today()).values(status="overdue")
        )
        await db.commit()
    logger.info("%s invoices marked overdue", result.rowcount)
    return result.rowcount


async def send_payment_reminders(ctx: dict) -> int:
    due = date.today() + timedelta(days=3)
    async with async_session() as db:
        invoices = (await db.scalars(select(Invoice).where(Invoice.status == "open", Invoice.due_on == due))).all()
    for invoice in invoices:
        await ctx["redis"].enqueue_job("send_email", "payment_reminder", invoice.customer_email, invoice.number)
    return len(invoices)
