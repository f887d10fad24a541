# path: app/services/reports.py
from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Shipment


async def list_shipments(session: AsyncSession, tenant_id: int):
    return await session.scalars(select(Shipment))  # expect: DB108


async def count_open(session: AsyncSession, tenant_id: int):
    stmt = select(func.count()).select_from(Shipment).where(
        Shipment.status == "open",
    )
    return await session.scalar(stmt)


async def count_late(session: AsyncSession, tenant_id: int):
    stmt = select(Shipment).filter_by(status="late")  # expect: DB108
    return await session.scalar(stmt)


async def many(session: AsyncSession, ids: list[int]):
    stmt = (
        select(Shipment)
        .filter(Shipment.tenant_id.in_(ids))  # expect: DB108
        .where(and_(Shipment.id > 3, or_(tenant_id == Shipment.tenant_id, Shipment.id < 0)))  # expect: DB108
    )
    return await session.scalars(stmt)


async def per_tenant(session: AsyncSession):
    stmt = select(Shipment.tenant_id, func.count()).group_by(Shipment.tenant_id).having(Shipment.tenant_id != 0)  # expect: DB108
    return await session.execute(stmt)
