# path: app/services/commit_to_flush.py
"""`commit()` becomes `flush()`; rollback and begin stay manual."""
from sqlalchemy.ext.asyncio import AsyncSession


class Ledger:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def post(self, entry):
        self.session.add(entry)
        await (
            self.session  # expect: DB106
            .flush()
        )

    async def undo(self):
        await self.session.rollback()  # expect: DB106


async def close_period(session: AsyncSession, commit_message: str):
    await session.flush()  # expect: DB106
    return commit_message
