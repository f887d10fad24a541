from fastapi import APIRouter

from .invoices import router as invoices_router
from .payments import router as payments_router

api_router = APIRouter()
api_router.include_router(invoices_router)
api_router.include_router(payments_router)
