"""Not declared deprecated: only detected as redundant (the fix is unsafe)."""
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

app = FastAPI()

engine = create_async_engine(  # expect: DB103
    "postgresql+asyncpg://app@db/other",
    connect_args={"statement_cache_size": 0, "ssl": "require"},
)


@asynccontextmanager
async def get_session():  # expect: DB113
    async with AsyncSession(engine) as session:  # expect: DB102
        yield session


def ping() -> str:
    return "pong"


def timer(func):
    return func
