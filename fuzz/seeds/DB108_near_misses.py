# path: app/routers/shipments.py
"""tenant_id outside query predicates."""
from sqlalchemy import Column, Integer, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Shipment


class Ops:
    tenant_id = Column(Integer, nullable=False)


async def get_shipment(session: AsyncSession, shipment_id: int, tenant):
    shipment = await session.get(Shipment, shipment_id)
    if shipment is None or shipment.tenant_id != tenant.id:
        raise LookupError(shipment_id)
    return {"tenant_id": tenant.id, "id": shipment.id}


async def create(session: AsyncSession, tenant):
    shipment = Shipment(tenant_id=tenant.id)
    session.add(shipment)
    stmt = select(Shipment).where(Shipment.carrier == "ups", Shipment.status == "open")
    rows = [s for s in await session.scalars(stmt) if s.tenant_id == tenant.id]
    return rows, stmt.filter(Shipment.owner_tenant == tenant.id)
