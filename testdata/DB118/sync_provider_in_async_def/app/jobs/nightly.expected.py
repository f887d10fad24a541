"""A sync session opened in an `async def` (a job run on a worker thread):
its calls are not coroutines, and no `await` may be added to them."""
from app.db.session import session_scope  # expect: DB101


async def purge():
    with session_scope() as db:  # expect: DB102, DB115
        db.execute("select 1")
        db.commit()
