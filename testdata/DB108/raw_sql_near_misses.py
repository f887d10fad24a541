# path: app/services/audit_log.py
"""Writes rows where tenant_id = :tenant_id is set by the session.

A docstring describing SQL is not SQL.
"""
import logging

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

log = logging.getLogger(__name__)


async def record(session: AsyncSession, tenant_id: int, event: str):
    log.info(f"recording for tenant_id = {tenant_id}")
    log.info("tenant_id=%s event=%s", tenant_id, event)
    # Inserting the column is not filtering on it.
    await session.execute(
        text("INSERT INTO audit (tenant_id, event) VALUES (:tenant_id, :event)"),
        {"tenant_id": tenant_id, "event": event},
    )
    await session.execute(text("SELECT tenant_id, count(*) FROM audit GROUP BY tenant_id"))
    return {"tenant_id": tenant_id}
