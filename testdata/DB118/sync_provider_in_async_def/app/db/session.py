from contextlib import contextmanager
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

engine = create_engine("postgresql://app@db/app")
SessionLocal = sessionmaker(bind=engine)
aengine = create_async_engine("postgresql+asyncpg://app@db/app")
AsyncSessionLocal = async_sessionmaker(aengine)


@contextmanager
def session_scope():
    with SessionLocal() as s:
        yield s
        s.commit()


def get_db():
    with session_scope() as s:
        yield s
