# path: app/services/billing.py
"""Services that take the caller's session and still control the transaction."""
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session


async def create_invoice(session: AsyncSession, amount: int):
    session.add(amount)
    await session.flush()  # expect: DB106


async def settle(session: AsyncSession, invoice_id: int):
    try:
        await session.execute(select(1))
        await session.flush()  # expect: DB106
    except Exception:
        await session.rollback()  # expect: DB106
        raise


async def void_all(session: AsyncSession, ids: list[int]):
    async with session.begin():  # expect: DB106
        await session.execute(select(1))


async def savepoint(session: AsyncSession):
    async with session.begin_nested():  # expect: DB106
        await session.execute(select(1))


def sync_named(db, amount):
    db.add(amount)
    db.flush()  # expect: DB106


def sync_annotated(db: Session):
    tx = db.begin()  # expect: DB106
    tx.commit()
