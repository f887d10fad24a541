"""The session filters every query by the current tenant: a hand-written
tenant predicate repeats it."""
from contextlib import asynccontextmanager

from sqlalchemy import event
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session, with_loader_criteria

from app.context import current_tenant
from app.models import Shipment

engine = create_async_engine("postgresql+asyncpg://app@db/app")
async_session_factory = async_sessionmaker(engine, expire_on_commit=False)


@event.listens_for(Session, "do_orm_execute")
def _scope_to_tenant(execute_state):
    execute_state.statement = execute_state.statement.options(
        with_loader_criteria(Shipment, lambda cls: cls.tenant_id == current_tenant())
    )


@asynccontextmanager
async def get_session():
    async with async_session_factory() as session:
        yield session
        await session.commit()
