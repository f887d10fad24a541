# path: app/db/reporting.py
from contextlib import asynccontextmanager

from sqlalchemy.orm import Session, sessionmaker

from app.db.session import engine
import warnings

warnings.warn(
    "app.db.reporting is deprecated; use app.db.session",
    DeprecationWarning,
    stacklevel=2,
)

SyncSession = sessionmaker(engine.sync_engine)  # expect: DB103


@asynccontextmanager
async def open_reporting_session(  # expect: DB113
    readonly: bool = True,
):
    with SyncSession() as s:  # expect: DB115
        yield s


def make_session():  # expect: DB113
    return Session(engine.sync_engine)  # expect: DB102
