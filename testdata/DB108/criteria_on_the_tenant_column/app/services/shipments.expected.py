from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Shipment


async def list_shipments(session: AsyncSession, tenant_id: int):
    return await session.scalars(select(Shipment))  # expect: DB108
