from fastapi import APIRouter, Depends, Header, HTTPException, status
from sqlalchemy.orm import Session

from app.database.core import get_db

from . import service
from .models import UserCreate, UserRead

router = APIRouter()


@router.post("", response_model=UserRead, status_code=status.HTTP_201_CREATED)
def create_user(user_in: UserCreate, x_tenant_id: int = Header(...), db_session: Session = Depends(get_db)):
    if service.get_by_email(db_session=db_session, tenant_id=x_tenant_id, email=user_in.email):
        raise HTTPException(status_code=status.HTTP_409_CONFLICT, detail="A user with this email already exists.")
    return service.create(db_session=db_session, tenant_id=x_tenant_id, user_in=user_in)


@router.get("/{user_id}", response_model=UserRead)
def get_user(user_id: int, x_tenant_id: int = Header(...), db_session: Session = Depends(get_db)):
    user = service.get(db_session=db_session, user_id=user_id)
    if not user or user.tenant_id != x_tenant_id:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="User not found.")
    return user
