"""ORM models."""
from app.models.ops import CrawlJob, Invoice, Report
from app.models.shipment import Base, DeliveryEvent, Shipment

__all__ = ["Base", "CrawlJob", "DeliveryEvent", "Invoice", "Report", "Shipment"]
