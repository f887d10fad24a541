# path: app/routers/mail.py
"""The last call stays where it is (manual) when moving it would change
what it does: a string continued with a backslash would lose the
indentation inside it, and a receiver or argument the `with` items bind is
exited with the block."""
from fastapi import APIRouter, BackgroundTasks, Depends
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.session import get_session_dependency
from app.tasks.batch import TaskBatch

router = APIRouter()


async def send_mail(to: str, body: str) -> None:
    return None


async def audit(order_id: int, tx: object) -> None:
    return None


@router.post("/mail")
async def mail(tasks: BackgroundTasks, session: AsyncSession = Depends(get_session_dependency)):
    async with session.begin():
        await session.execute("update x")
        tasks.add_task(  # expect: DB110
            send_mail, "a@b.c", "line one \
            line two")
    return tasks


@router.post("/close/{order_id}")
async def close_order(order_id: int, session: AsyncSession = Depends(get_session_dependency)):
    async with session.begin(), TaskBatch() as background_tasks:
        await session.execute("update orders set closed = true")
        background_tasks.add_task(audit, order_id, None)  # expect: DB110


@router.post("/audit/{order_id}")
async def audit_order(order_id: int, tasks: BackgroundTasks, session: AsyncSession = Depends(get_session_dependency)):
    async with session.begin() as tx:
        await session.execute("update orders set audited = true")
        tasks.add_task(audit, order_id, tx)  # expect: DB110
