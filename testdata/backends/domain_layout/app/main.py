from fastapi import FastAPI

from app.billing.router import router as billing_router
from app.orders.router import router as orders_router
from app.users.router import router as users_router

app = FastAPI(title="Tally")

app.include_router(users_router, prefix="/users", tags=["users"])
app.include_router(orders_router, prefix="/orders", tags=["orders"])
app.include_router(billing_router, prefix="/billing", tags=["billing"])


@app.get("/healthcheck", include_in_schema=False)
def healthcheck():
    return {"status": "ok"}
