# path: app/tasks/legacy_near.py
# from app.db.legacy_session import get_legacy_session
from app.db.session import get_session

NOTE = "from app.db.legacy_session import get_legacy_session"


async def run():
    async with get_session() as session:
        await session.execute("select 1")
