# path: app/tasks/near.py
from sqlalchemy.ext.asyncio import async_sessionmaker

from app.db.session import engine

NOTE = "create_async_engine(url) is only called in app.db.session"


def create_engine(url):
    """A local helper that happens to share SQLAlchemy's name."""
    return url


async def run():
    create_engine("x")  # create_async_engine in a comment
    # a throwaway factory is DB102's (the session), not DB103's
    session = async_sessionmaker(engine)()  # expect: DB102
    await session.close()
