from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, EmailStr


class InvoiceCreate(BaseModel):
    number: str
    customer_email: EmailStr
    total: Decimal
    due_on: date


class InvoiceRead(InvoiceCreate):
    model_config = ConfigDict(from_attributes=True)

    id: int
    status: str
    paid_at: date | None = None


class StatementImportResult(BaseModel):
    staged: int
    matched: int
