# path: app/routers/legacy_user.py
from app.db.legacy_session import get_legacy_session  # expect: DB112
from ..db.legacy_session import legacy_engine as eng  # expect: DB112


async def ping() -> str:
    session = await get_legacy_session()
    await session.close()
    return str(eng.url)
