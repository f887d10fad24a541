"""Shipment CRUD.

This router is the reference for session handling: the request session
comes from ``get_session_dependency`` and every call on it is awaited.
"""
from fastapi import APIRouter, Depends, HTTPException, status
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.session import get_session_dependency
from app.dependencies import TenantContext, get_current_tenant
from app.models import Shipment
from app.schemas.shipment import ShipmentCreate, ShipmentOut

router = APIRouter(prefix="/shipments", tags=["shipments"])


@router.get("/{shipment_id}", response_model=ShipmentOut)
async def get_shipment(
    shipment_id: int,
    tenant: TenantContext = Depends(get_current_tenant),
    session: AsyncSession = Depends(get_session_dependency),
) -> Shipment:
    shipment = await session.get(Shipment, shipment_id)
    if shipment is None or shipment.tenant_id != tenant.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "shipment not found")
    return shipment


@router.get("/by-tracking/{tracking_number}", response_model=ShipmentOut)
async def find_by_tracking(
    tracking_number: str,
    session: AsyncSession = Depends(get_session_dependency),
) -> Shipment:
    stmt = select(Shipment).where(Shipment.tracking_number == tracking_number)
    shipment = await session.scalar(stmt)
    if shipment is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "unknown tracking number")
    return shipment


@router.post("", response_model=ShipmentOut, status_code=status.HTTP_201_CREATED)
async def create_shipment(
    payload: ShipmentCreate,
    tenant: TenantContext = Depends(get_current_tenant),
    session: AsyncSession = Depends(get_session_dependency),
) -> Shipment:
    shipment = Shipment(tenant_id=tenant.id, **payload.model_dump())
    async with session.begin():
        session.add(shipment)
    await session.refresh(shipment)
    return shipment
