# path: app/main.py
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.db.session import engine
from app.models import Base


@asynccontextmanager
async def lifespan(app: FastAPI):
    # DDL at start-up needs a connection, not a session.
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield
    await engine.dispose()


app = FastAPI(lifespan=lifespan)
