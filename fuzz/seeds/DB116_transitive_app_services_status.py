from app.db.session import get_session


async def _store(shipment_id: int) -> None:
    async with get_session() as session:
        await session.execute("select 1")


async def refresh(shipment_id: int) -> None:
    await _store(shipment_id)
