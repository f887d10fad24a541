# path: app/repositories/items.py
"""`self.session` stored from an `AsyncSession` the constructor received: its
coroutine methods need `await` like the parameter's."""
from sqlalchemy.ext.asyncio import AsyncSession


class ItemRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def add(self, item):
        self.session.add(item)
        self.session.flush()  # expect: DB118
        return item

    async def fresh(self, item):
        await self.session.refresh(item)
        return item


class Cache:
    def __init__(self, store):
        self.session = store

    async def put(self, key):
        self.session.flush()
