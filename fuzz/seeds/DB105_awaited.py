# path: app/scheduler/jobs.py
import app.db.session as db
from app.db.session import get_session


async def flag_late() -> int:
    session = await db.get_session()  # expect: DB105
    return await session.scalar("select 1")


async def kept() -> None:
    s = get_session()  # expect: DB105
    get_session()  # expect: DB105
    with get_session() as session:  # expect: DB105
        session.add(object())
    print(s)
