from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.api.routes import exports, imports, projects
from app.db.session import engine
from app.scheduler import build_scheduler


@asynccontextmanager
async def lifespan(app: FastAPI):
    scheduler = build_scheduler()
    scheduler.start()
    yield
    scheduler.shutdown(wait=False)
    await engine.dispose()


app = FastAPI(title="Intake", lifespan=lifespan)
app.include_router(projects.router)
app.include_router(imports.router)
app.include_router(exports.router)
