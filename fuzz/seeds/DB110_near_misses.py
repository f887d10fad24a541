# path: app/routers/refunds.py
import aiohttp
from fastapi import APIRouter, BackgroundTasks, Depends
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.session import get_session_dependency

router = APIRouter()


async def send_refund_mail(refund_id: int) -> None:
    return None


@router.post("/{refund_id}")
async def refund(
    refund_id: int,
    tasks: BackgroundTasks,
    session: AsyncSession = Depends(get_session_dependency),
) -> dict:
    async with session.begin():
        await session.execute("update refunds set done = true")

        def later() -> None:
            # defined in the block, runs outside it
            tasks.add_task(send_refund_mail, refund_id)

    # scheduled after the transaction: fine
    tasks.add_task(send_refund_mail, refund_id)
    later()
    return {"id": refund_id}


async def not_a_session(tasks: BackgroundTasks, http: aiohttp.ClientSession) -> None:
    async with http.begin():
        tasks.add_task(send_refund_mail, 1)
