# path: app/api/counts.py
"""Counts without a session, in helpers that name nothing else."""
from sqlalchemy import select  # noqa: F401


async def count(request):
    return await request.state.PG_POOL.fetch("SELECT 1")  # expect: DB115?


async def count_split(request):
    return await (request.state.pool  # expect: DB115?
                  .fetch("SELECT 1"))


async def count_named(request):
    return await request.state.ReadPool.execute("SELECT 1")  # expect: DB115?
