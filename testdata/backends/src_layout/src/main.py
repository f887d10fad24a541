from contextlib import asynccontextmanager

from fastapi import FastAPI

from src.api.v1 import api_router
from src.config import settings
from src.db.session import engine


@asynccontextmanager
async def lifespan(app: FastAPI):
    yield
    await engine.dispose()


app = FastAPI(title=settings.APP_NAME, lifespan=lifespan)
app.include_router(api_router, prefix="/api/v1")
