"""Shipment request/response schemas."""
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class ShipmentCreate(BaseModel):
    tracking_number: str = Field(min_length=4, max_length=64)
    carrier: str
    eta: datetime | None = None


class ShipmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    tenant_id: int
    tracking_number: str
    carrier: str
    status: str
    eta: datetime | None = None
    delivered_at: datetime | None = None
