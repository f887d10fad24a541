# path: app/services/audit.py
"""A file that imports a DB-API driver: its `db` parameter may be one of the
driver's connections (here sqlite3's, which has no `flush()`), so the name
alone does not make it a session."""
import sqlite3

from app.db.session import get_session


def write_audit(db, event):
    db.execute("insert into audit values (?)", (event,))
    db.commit()


def record(event):
    conn = sqlite3.connect(":memory:")
    write_audit(conn, event)


async def count():
    async with get_session() as session:
        return await session.scalar("select count(*) from audit")
