"""A `do_orm_execute` hook that only logs, and a loader criteria on another
column (soft deletes): neither filters by tenant, so the hand-written
tenant predicates must stay."""
import logging
from contextlib import asynccontextmanager

from sqlalchemy import event
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session, with_loader_criteria

from app.models import Shipment

log = logging.getLogger(__name__)
engine = create_async_engine("postgresql+asyncpg://app@db/app")
async_session_factory = async_sessionmaker(engine, expire_on_commit=False)


@event.listens_for(Session, "do_orm_execute")
def _log_and_hide_deleted(execute_state):
    log.debug("tenant_id-aware query: %s", execute_state.statement)
    execute_state.statement = execute_state.statement.options(
        with_loader_criteria(Shipment, lambda cls: cls.deleted_at.is_(None))
    )


@asynccontextmanager
async def get_session():
    async with async_session_factory() as session:
        yield session
        await session.commit()
