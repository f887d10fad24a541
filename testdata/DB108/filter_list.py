# path: app/services/search.py
from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Shipment


async def search(session: AsyncSession, tenant_id: int, status: str | None):
    filters = [Shipment.deleted_at.is_(None)]
    filters.append(Shipment.tenant_id == tenant_id)  # expect: DB108
    if status:
        filters.append(Shipment.status == status)
    return await session.scalars(select(Shipment).where(*filters))


async def search_and(session: AsyncSession, tenant_id: int):
    conditions = [Shipment.tenant_id == tenant_id, Shipment.archived.is_(False)]  # expect: DB108
    return await session.scalars(select(Shipment).where(and_(*conditions)))


async def other_list(session: AsyncSession, tenant_id: int):
    # A list that is never unpacked into a filter: not a query.
    checks = [Shipment.tenant_id == tenant_id]
    filters = [Shipment.status == "open"]
    return checks, await session.scalars(select(Shipment).where(*filters))
