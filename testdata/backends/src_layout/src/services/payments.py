import csv
import io
from datetime import date
from decimal import Decimal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from ..db.raw import get_raw_connection

MATCH_SQL = """
    INSERT INTO payments (invoice_id, reference, amount, booked_on)
    SELECT i.id, s.reference, s.amount, s.booked_on
    FROM payments_staging s
    LEFT JOIN invoices i ON i.number = s.reference AND i.status = 'open'
"""


async def import_bank_statement(payload: bytes) -> int:
    reader = csv.DictReader(io.StringIO(payload.decode("utf-8-sig")))
    records = [
        (row["Reference"].strip(), Decimal(row["Amount"]), date.fromisoformat(row["Booking date"]))
        for row in reader
    ]
    conn = await get_raw_connection()
    try:
        await conn.driver_connection.copy_records_to_table(
            "payments_staging", records=records, columns=["reference", "amount", "booked_on"]
        )
    finally:
        conn.close()
    return len(records)


async def match_staged_payments(db: AsyncSession) -> int:
    # no bind params: keeps asyncpg from preparing it behind pgbouncer
    result = await db.execute(text(MATCH_SQL), execution_options={"no_parameters": True})
    await db.execute(
        text(
            "UPDATE invoices SET status = 'paid', paid_at = p.booked_on FROM payments p "
            "WHERE p.invoice_id = invoices.id AND p.amount >= invoices.total AND invoices.status = 'open'"
        )
    )
    await db.execute(text("TRUNCATE payments_staging"))
    return result.rowcount
