# path: app/tasks/lookup.py
from app.db.session import get_session_dependency


async def lookup() -> None:
    async for session in get_session_dependency():  # expect: DB105
        await session.scalar("select 1")


async def by_anext() -> None:
    session = await anext(get_session_dependency())  # expect: DB105
    await session.scalar("select 1")


async def kept() -> None:
    gen = get_session_dependency()  # expect: DB105
    async with get_session_dependency() as session:  # expect: DB105
        await session.scalar("select 1")
    await gen.aclose()
