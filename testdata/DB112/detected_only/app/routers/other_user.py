from app.db.other_session import (
    engine,  # expect: DB112?
    get_session,  # expect: DB112?
    app,  # the application, not a session thing: silent
    ping,  # a utility, not a session thing: silent
    timer,  # a decorator: silent
)


async def run():
    async with get_session() as session:
        await session.execute("select 1")
    return engine.url, ping(), app, timer
