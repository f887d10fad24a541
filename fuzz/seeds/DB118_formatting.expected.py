# path: app/tasks/formatting.py
from sqlalchemy import select

from app.db.session import get_session


async def multi_line(ids):
    async with get_session() as session:
        rows: object = await session.execute(  # expect: DB118
            select(1).where(
                True,
            ),
        )
        (await session.flush())  # expect: DB118
        return rows


def sync_code(session):
    # Not inside `async def`: never reported, never fixed.
    session.commit()
