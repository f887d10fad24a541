from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import User, UserCreate


def get(*, db_session: Session, user_id: int) -> User | None:
    return db_session.get(User, user_id)


def get_by_email(*, db_session: Session, tenant_id: int, email: str) -> User | None:
    return db_session.scalar(select(User).where(User.tenant_id == tenant_id, User.email == email))


def create(*, db_session: Session, tenant_id: int, user_in: UserCreate) -> User:
    user = User(tenant_id=tenant_id, **user_in.model_dump())
    db_session.add(user)
    db_session.flush()
    return user
