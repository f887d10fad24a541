"""Tenant reports: live summaries and asynchronous report builds."""
from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, status
from sqlalchemy.ext.asyncio import AsyncSession

from ..db.session import get_session, get_session_dependency
from ..dependencies import TenantContext, get_current_tenant
from ..models import Report
from ..services import report_service

router = APIRouter(prefix="/reports", tags=["reports"])


@router.get("/summary")
async def live_summary(
    tenant: TenantContext = Depends(get_current_tenant),
    session: AsyncSession = Depends(get_session_dependency),
) -> dict:
    return await report_service.summary(session, tenant.id)


@router.get("/{report_id}")
async def get_report(
    report_id: int,
    session: AsyncSession = Depends(get_session),
) -> dict:
    report = await session.get(Report, report_id)
    if report is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "report not found")
    return {"id": report.id, "status": report.status, "payload": report.payload}


@router.post("", status_code=status.HTTP_202_ACCEPTED)
async def request_report(
    background_tasks: BackgroundTasks,
    tenant: TenantContext = Depends(get_current_tenant),
    session: AsyncSession = Depends(get_session_dependency),
) -> dict:
    report = Report(tenant_id=tenant.id, status="pending")
    async with session.begin():
        session.add(report)
    # Build in the background so large tenants don't hit the gateway timeout.
    background_tasks.add_task(report_service.build_report, report.id, session)
    return {"id": report.id, "status": report.status}
