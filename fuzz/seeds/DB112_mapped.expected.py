# path: app/routers/legacy_user.py
from app.db.legacy_session import get_legacy_session  # expect: DB112
from ..db.session import engine


async def ping() -> str:
    session = await get_legacy_session()
    await session.close()
    return str(engine.url)
