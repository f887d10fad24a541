import asyncio
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.db.session import engine
from app.routers import batches, ledger
from app.scheduler.loop import run_scheduler


@asynccontextmanager
async def lifespan(app: FastAPI):
    stop = asyncio.Event()
    scheduler_task = asyncio.create_task(run_scheduler(stop))
    yield
    stop.set()
    await scheduler_task
    await engine.dispose()


app = FastAPI(title="Payrun", lifespan=lifespan)
app.include_router(batches.router)
app.include_router(ledger.router)
