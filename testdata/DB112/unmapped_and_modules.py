# path: app/services/legacy_user.py
import app.db.legacy_session  # expect: DB112
import app.db.legacy_session as legacy  # expect: DB112
from app.db import legacy_session  # expect: DB112
from app.db.legacy_session import get_raw_connection  # expect: DB112


async def run():
    conn = await get_raw_connection()  # expect: DB115?
    other = legacy.get_legacy_session
    return conn, other, legacy_session, app.db.legacy_session
