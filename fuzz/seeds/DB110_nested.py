# path: app/routers/orders.py
from fastapi import APIRouter, BackgroundTasks, Depends
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.session import get_session, get_session_dependency

router = APIRouter()


async def send_receipt(order_id: int) -> None:
    return None


@router.post("/{order_id}/pay")
async def pay(
    order_id: int,
    tasks: BackgroundTasks,
    session: AsyncSession = Depends(get_session_dependency),
) -> dict:
    async with session.begin_nested():
        if order_id > 0:
            tasks.add_task(send_receipt, order_id)  # expect: DB110
        await session.execute("update orders set paid = true")
    return {"id": order_id}


async def settle(order_id: int, tasks: BackgroundTasks) -> None:
    async with get_session() as own:
        async with own.begin():
            tasks.add_task(send_receipt, order_id)  # expect: DB110
            await own.execute("update orders set settled = true")
