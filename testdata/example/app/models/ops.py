"""Operational tables: crawl jobs, reports and invoices."""
from uuid import uuid4

from sqlalchemy import JSON, Column, ForeignKey, Integer, String

from app.models.shipment import Base


class CrawlJob(Base):
    __tablename__ = "crawl_jobs"

    id = Column(String(36), primary_key=True, default=lambda: str(uuid4()))
    tenant_id = Column(Integer, ForeignKey("tenants.id"), nullable=False, index=True)
    carrier = Column(String(32), nullable=False)
    status = Column(String(16), nullable=False, default="queued")
    pages_seen = Column(Integer, nullable=False, default=0)


class Report(Base):
    __tablename__ = "reports"

    id = Column(Integer, primary_key=True)
    tenant_id = Column(Integer, ForeignKey("tenants.id"), nullable=False, index=True)
    status = Column(String(16), nullable=False, default="pending")
    payload = Column(JSON)


class Invoice(Base):
    __tablename__ = "invoices"

    id = Column(Integer, primary_key=True)
    shipment_id = Column(Integer, ForeignKey("shipments.id"), nullable=False)
    amount_cents = Column(Integer, nullable=False)
    status = Column(String(16), nullable=False, default="open")
