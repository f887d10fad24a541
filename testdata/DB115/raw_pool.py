# path: app/api/stuff.py
from fastapi import APIRouter, Request
from sqlalchemy import select

from app.models import Stuff

router = APIRouter()


@router.get("/stuff/{name}")
async def find(request: Request, name: str):
    stmt = select(Stuff).where(Stuff.name == name)
    row = await request.app.postgres_pool.fetchrow(str(stmt))  # expect: DB115?
    count = await request.app.state.db_pool.fetch("SELECT count(*) FROM stuff")  # expect: DB115?
    return row, count


@router.get("/health")
async def health(request: Request):
    # A cache pool and a worker pool: not the database.
    await request.app.state.redis_pool.ping()
    await request.app.state.worker_pool.enqueue_job("noop")
    return await request.app.state.http.fetch("https://example.com")
