from .invoice import Base, Invoice, Payment

__all__ = ["Base", "Invoice", "Payment"]
