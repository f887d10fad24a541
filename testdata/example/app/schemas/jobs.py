"""Schemas for crawl jobs and carrier scan webhooks."""
from typing import Literal

from pydantic import BaseModel


class CrawlRequest(BaseModel):
    carrier: str
    full_resync: bool = False


class ScanEvent(BaseModel):
    kind: Literal["picked_up", "in_transit", "out_for_delivery", "exception"]
    note: str | None = None
