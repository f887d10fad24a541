from fastapi import APIRouter

from app.db.session import get_session_dependency, get_session

router = APIRouter()


@router.post("/legacy")
async def legacy_write():
    async with get_session() as session:
        await session.execute("select 1")
    return get_session_dependency
