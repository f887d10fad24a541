# path: app/services/legacy_refused.py
from app.db.legacy_session import get_legacy_session  # expect: DB112
from app.db.legacy_session import legacy_engine  # expect: DB112

engine = "a local name the replacement would need"


async def run(params: dict):
    # `get_session` takes no arguments: the call must change first
    async with get_legacy_session(params) as session:
        await session.execute("select 1")
    return legacy_engine, engine
