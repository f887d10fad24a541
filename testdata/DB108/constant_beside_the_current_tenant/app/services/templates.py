"""The current organisation's predicate goes; the template tenant's
(`tenant_id=0`) stays, and with it the `filter_by` call."""
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Shipment


async def templates(session: AsyncSession, org_id: int):
    stmt = select(Shipment).filter_by(tenant_id=0, org_id=org_id)  # expect: DB108, DB108
    return await session.scalars(stmt)
