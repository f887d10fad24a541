# path: app/services/manual.py
"""Tenant predicates the fix does not touch."""
from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Shipment


async def alternative(session: AsyncSession, tenant_id: int):
    # Removing one side of an `or_` would change which rows match.
    stmt = select(Shipment).where(or_(Shipment.tenant_id == tenant_id, Shipment.id < 0), Shipment.id > 1)  # expect: DB108
    return await session.scalars(stmt)


async def lone_conjunct(session: AsyncSession, tenant_id: int):
    stmt = select(Shipment).where(and_(Shipment.tenant_id == tenant_id), Shipment.id > 1)  # expect: DB108
    return await session.scalars(stmt)


async def parenthesised_item(session: AsyncSession, tenant_id: int):
    stmt = select(Shipment).where((Shipment.tenant_id == tenant_id), Shipment.id > 1)  # expect: DB108
    return await session.scalars(stmt)
