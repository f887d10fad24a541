from fastapi import FastAPI

from app.routers import admin, items, warehouses

app = FastAPI(title="Stockroom")

app.include_router(items.router)
app.include_router(warehouses.router)
app.include_router(admin.router)


@app.get("/health")
def health():
    return {"ok": True}
