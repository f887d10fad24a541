"""Carrier crawl endpoints.

The crawl workers still receive their connection settings as
``db_params`` (legacy worker design, see PW-288).
"""
import logging

from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, status
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.direct_session import get_direct_session
from app.db.session import get_session_dependency
from app.dependencies import TenantContext, get_current_tenant, get_db_params
from app.models import CrawlJob
from app.schemas.jobs import CrawlRequest
from app.services import crawl_service

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/crawl", tags=["crawl"])


@router.post("/jobs", status_code=status.HTTP_202_ACCEPTED)
async def start_crawl(
    payload: CrawlRequest,
    background_tasks: BackgroundTasks,
    tenant: TenantContext = Depends(get_current_tenant),
    session: AsyncSession = Depends(get_session_dependency),
    db_params: dict = Depends(get_db_params),
) -> dict:
    job = CrawlJob(tenant_id=tenant.id, carrier=payload.carrier)
    async with session.begin():
        session.add(job)
    logger.info("crawl queued", extra={"tenant_id": tenant.id, "job_id": job.id})
    background_tasks.add_task(crawl_service.run_crawl, job_id=job.id, db_params=db_params)
    return {"job_id": job.id}


@router.get("/jobs/{job_id}")
async def get_crawl_job(job_id: str) -> dict:
    async with get_direct_session() as session:
        job = await session.get(CrawlJob, job_id)
    if job is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "crawl job not found")
    return {"id": job.id, "status": job.status, "pages_seen": job.pages_seen}


@router.post("/index/refresh", status_code=status.HTTP_202_ACCEPTED)
async def refresh_search_index(
    background_tasks: BackgroundTasks,
    tenant: TenantContext = Depends(get_current_tenant),
    db_params: dict = Depends(get_db_params),
) -> dict:
    # Each tenant has exactly one search index, keyed by tenant id.
    background_tasks.add_task(crawl_service.refresh_index, tenant.id, db_params)
    return {"tenant_id": tenant.id, "queued": True}
