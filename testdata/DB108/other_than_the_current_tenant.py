# path: app/services/cross_tenant.py
"""Predicates on the tenant column that are not "the current tenant": the
central filter does not stand for them, so they are reported, never
removed."""
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Shipment


async def from_the_template_tenant(session: AsyncSession):
    return await session.scalars(select(Shipment).where(Shipment.tenant_id == 42))  # expect: DB108


async def elsewhere(session: AsyncSession, tenant_id: int):
    return await session.scalars(select(Shipment).where(Shipment.tenant_id != tenant_id))  # expect: DB108


async def unassigned(session: AsyncSession):
    return await session.scalars(select(Shipment).where(Shipment.tenant_id.is_(None)))  # expect: DB108


async def from_on(session: AsyncSession, tenant_id: int):
    return await session.scalars(select(Shipment).filter(Shipment.tenant_id >= tenant_id))  # expect: DB108


async def template_rows(session: AsyncSession):
    return await session.scalars(select(Shipment).filter_by(tenant_id=0))  # expect: DB108
