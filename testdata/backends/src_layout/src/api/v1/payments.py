from typing import Annotated

from fastapi import APIRouter, Depends, UploadFile
from sqlalchemy.ext.asyncio import AsyncSession

from ...db.session import async_get_db
from ...schemas import StatementImportResult
from ...services import payments as payments_service

router = APIRouter(prefix="/payments", tags=["payments"])


@router.post("/statements", response_model=StatementImportResult)
async def upload_statement(file: UploadFile, db: Annotated[AsyncSession, Depends(async_get_db)]):
    staged = await payments_service.import_bank_statement(await file.read())
    matched = await payments_service.match_staged_payments(db)
    return StatementImportResult(staged=staged, matched=matched)
