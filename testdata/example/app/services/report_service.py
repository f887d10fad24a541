"""Tenant reporting: shipment counts and report builds."""
import asyncio

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Report, Shipment


async def list_shipments(session: AsyncSession, tenant_id: int) -> list[Shipment]:
    result = await session.scalars(select(Shipment).where(Shipment.tenant_id == tenant_id))
    return list(result)


async def count_open(session: AsyncSession, tenant_id: int) -> int:
    stmt = select(func.count()).select_from(Shipment).where(Shipment.status == "open", Shipment.tenant_id == tenant_id)
    return await session.scalar(stmt) or 0


async def count_late(session: AsyncSession, tenant_id: int) -> int:
    stmt = select(func.count()).select_from(Shipment).filter_by(tenant_id=tenant_id, status="late")
    return await session.scalar(stmt) or 0


async def summary(session: AsyncSession, tenant_id: int) -> dict:
    open_count, late_count = await asyncio.gather(count_open(session, tenant_id), count_late(session, tenant_id))
    return {"open": open_count, "late": late_count}


async def build_report(report_id: int, session: AsyncSession) -> None:
    """Fill in a pending report. Runs after the response has been sent."""
    report = await session.get(Report, report_id)
    report.payload = await summary(session, report.tenant_id)
    report.status = "ready"
    await session.flush()
