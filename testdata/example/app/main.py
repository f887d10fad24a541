"""Parcelwise API entrypoint: ``uvicorn app.main:app``."""
import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.db.session import engine
from app.routers import crawl, deliveries, reports, shipments
from app.scheduler.jobs import register_jobs

logger = logging.getLogger("parcelwise")


@asynccontextmanager
async def lifespan(app: FastAPI):
    # Sessions are handed out by app.db.session.get_session(); nothing in the
    # app should reach for async_session_factory directly.
    logger.info("starting parcelwise (session provider: get_session, not async_session_factory)")
    scheduler = register_jobs()
    scheduler.start()
    yield
    scheduler.shutdown(wait=False)
    await engine.dispose()


app = FastAPI(title="Parcelwise", version="2.4.1", lifespan=lifespan)
app.include_router(shipments.router)
app.include_router(deliveries.router)
app.include_router(reports.router)
app.include_router(crawl.router)


@app.get("/healthz")
async def healthz() -> dict:
    return {"status": "ok"}
