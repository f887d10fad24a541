# path: app/services/reports.py
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

BY_ID = text("SELECT * FROM shipments WHERE id = :id AND tenant_id = :tenant_id")  # expect: DB108?

# Reported on the line of the predicate (the marker sits in the string).
OPEN_FOR_TENANT = """
    SELECT s.id, s.status
    FROM shipments s
    JOIN carriers c ON c.id = s.carrier_id
    WHERE s.status = 'open'
      AND s.tenant_id = :tenant_id  # expect: DB108?
"""


async def totals(session: AsyncSession, tenant_id: int, status: str):
    sql = f"SELECT count(*) FROM shipments WHERE tenant_id = {tenant_id} AND status = '{status}'"  # expect: DB108?
    await session.execute(text(sql))
    query = "SELECT id FROM invoices WHERE paid"
    query += " AND tenant_id = :tenant_id"  # expect: DB108?
    return await session.execute(text(query), {"tenant_id": tenant_id})


async def by_driver(conn, tenant_id: int):
    return await conn.fetch("SELECT * FROM users WHERE tenant_id = $1", tenant_id)  # expect: DB108?


def psycopg_style(cursor, tenant_id):
    cursor.execute("UPDATE shipments SET seen = true WHERE \"tenant_id\" IN %s", (tenant_id,))  # expect: DB108?
    cursor.execute("DELETE FROM drafts WHERE tenant_id = %(tenant)s", {"tenant": tenant_id})  # expect: DB108?
