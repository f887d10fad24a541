# path: app/services/jobs.py
"""Near-misses: sessions the function opened itself, and non-session commits."""
import transaction
from sqlalchemy import select

from app.db.session import get_session


async def nightly():
    async with get_session() as session:
        await session.execute(select(1))
        await session.commit()


async def with_savepoint():
    async with get_session() as session:
        async with session.begin_nested():
            await session.execute(select(1))
        await session.rollback()


def export(ledger, repo, items):
    for item in items:
        ledger[item] = 1
    transaction.commit()
    repo.commit()


async def flushes(session, entry):
    session.add(entry)
    await session.flush()
    # session.commit() in a comment
    return "session.commit()"
