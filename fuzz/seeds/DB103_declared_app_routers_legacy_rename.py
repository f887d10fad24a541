from fastapi import APIRouter

from app.db.legacy_session import get_legacy_session  # expect: DB112
from app.db.session import get_session_dependency

router = APIRouter()


@router.post("/legacy")
async def legacy_write():
    async with get_legacy_session() as session:
        await session.execute("select 1")
    return get_session_dependency
