from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.api.routers import notebooks, notes
from app.core.db import sessionmanager


@asynccontextmanager
async def lifespan(app: FastAPI):
    yield
    await sessionmanager.close()


app = FastAPI(title="Fieldnotes", lifespan=lifespan)
app.include_router(notebooks.router)
app.include_router(notes.router)
