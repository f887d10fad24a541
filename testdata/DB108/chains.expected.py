# path: app/services/chains.py
"""Tenant predicates in chains, across lines, in conjunctions."""
from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Shipment


async def parenthesised(session: AsyncSession, tenant_id: int):
    stmt = (
        select(Shipment)
        .order_by(Shipment.id)
    )
    return await session.scalars(stmt)


async def backslashes(session: AsyncSession, tenant_id: int):
    stmt = select(Shipment) \
        .order_by(Shipment.id)
    last = select(Shipment).order_by(Shipment.id)  # expect: DB108
    return await session.scalars(stmt), last


async def conjunction(session: AsyncSession, tenant_id: int):
    stmt = select(Shipment).where(
        and_(
            Shipment.status == "open",
            Shipment.id > 0,
        )
    )
    return await session.scalars(stmt)


async def all_tenant(session: AsyncSession, tenant_id: int, ids: list[int]):
    stmt = select(Shipment).where(Shipment.tenant_id.in_(ids)).limit(5)  # expect: DB108
    return await session.scalars(stmt)


async def keywords(session: AsyncSession, tenant_id: int):
    stmt = select(Shipment).filter_by(
        status="late",
    )
    return await session.scalars(stmt)
