# path: app/services/ledger.py
from sqlalchemy.ext.asyncio import AsyncSession


class LedgerService:
    def __init__(self, session: AsyncSession, name: str):
        self.session = session
        self.name = name

    async def post(self, entry):
        self.session.add(entry)
        await self.session.commit()  # expect: DB106

    async def undo(self):
        await self.session.rollback()  # expect: DB106

    async def fine(self):
        await self.session.flush()
        self.name.commit()


class Unrelated:
    def __init__(self, repo):
        self.repo = repo

    def save(self):
        self.repo.commit()
