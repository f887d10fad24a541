from datetime import datetime

from pydantic import BaseModel, ConfigDict
from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from app.database.core import Base


class Invoice(Base):
    __tablename__ = "invoices"
    __table_args__ = (UniqueConstraint("tenant_id", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    period: Mapped[str] = mapped_column(String(7))
    amount_cents: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default="open")
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class InvoiceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    period: str
    amount_cents: int
    status: str
    issued_at: datetime
    paid_at: datetime | None
