# path: app/routers/move_after_block.py
from fastapi import APIRouter, BackgroundTasks, Depends
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.session import get_session_dependency

router = APIRouter()


async def notify(shipment_id: int, note: str = "") -> None:
    return None


@router.post("/a")
async def only_statement(
    shipment_id: int,
    tasks: BackgroundTasks,
    session: AsyncSession = Depends(get_session_dependency),
):
    async with session.begin():
        tasks.add_task(notify, shipment_id)  # expect: DB110
    return shipment_id


@router.post("/b")
async def multi_line(
    shipment_id: int,
    tasks: BackgroundTasks,
    session: AsyncSession = Depends(get_session_dependency),
):
    if shipment_id:
        async with session.begin():
            await session.execute("select 1")
            # tell the customer
            tasks.add_task(  # expect: DB110
                notify,
                shipment_id,
                note="delivered",
            )  # after the update
        await session.execute("select 2")
    return shipment_id


@router.post("/c")
async def same_line(
    shipment_id: int,
    tasks: BackgroundTasks,
    session: AsyncSession = Depends(get_session_dependency),
):
    async with session.begin(): tasks.add_task(notify, shipment_id)  # expect: DB110
    return shipment_id
