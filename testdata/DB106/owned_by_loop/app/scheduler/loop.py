"""Runs the registered processors forever.

Each processing function owns the transaction: the loop hands it a fresh
session and never commits, the function commits per batch.
"""
from app.db.session import get_session
from app.services.archive import archive_events

PROCESSORS = [archive_events]


async def run_forever() -> None:
    while True:
        for process in PROCESSORS:
            async with get_session() as session:
                await process(session)
