"""Shared FastAPI dependencies (tenant resolution, legacy db params)."""
from dataclasses import dataclass

from fastapi import Header, HTTPException, status

from app.config import settings


@dataclass(frozen=True)
class TenantContext:
    """The tenant a request acts on, resolved from gateway headers."""

    id: int
    slug: str


async def get_current_tenant(
    x_tenant_id: int = Header(...),
    x_tenant_slug: str = Header(""),
) -> TenantContext:
    if x_tenant_id <= 0:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "invalid tenant header")
    return TenantContext(id=x_tenant_id, slug=x_tenant_slug)


def get_db_params() -> dict:
    """Connection parameters handed to the crawl workers.

    Kept from the pre-2.0 worker design, where workers opened their own
    connections from these values.
    """
    return {
        "url": settings.database_url,
        "pool_size": 2,
        "echo": settings.sql_echo,
    }
