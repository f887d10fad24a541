from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, HTTPException
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.db import get_db_session

DBSessionDep = Annotated[AsyncSession, Depends(get_db_session)]


@dataclass
class Caller:
    tenant_id: int
    user_id: int


async def get_caller(x_tenant: int = Header(...), x_user: int = Header(...)) -> Caller:
    if x_tenant <= 0 or x_user <= 0:
        raise HTTPException(status_code=401, detail="missing identity headers")
    return Caller(tenant_id=x_tenant, user_id=x_user)


CallerDep = Annotated[Caller, Depends(get_caller)]
