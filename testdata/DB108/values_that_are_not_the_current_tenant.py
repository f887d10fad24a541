# path: app/services/crossing.py
"""Equality with a value that is not the current tenant selects other rows
than the central filter: each stays (manual). Arithmetic, a module
constant, a name that says another tenant, another table's column."""
from sqlalchemy import select

from app.models import Carrier, Shipment

SHARED_TENANT = 0


def next_tenant(tenant_id: int):
    return select(Shipment).where(Shipment.tenant_id == tenant_id + 1)  # expect: DB108


def shared():
    return select(Shipment).where(Shipment.tenant_id == SHARED_TENANT)  # expect: DB108


def theirs(other_tenant_id: int):
    return select(Shipment).where(Shipment.tenant_id == other_tenant_id)  # expect: DB108


def joined():
    return select(Shipment).join(Carrier).where(Shipment.tenant_id == Carrier.tenant_id)  # expect: DB108
