from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from app import schemas
from app.crud import warehouses as warehouses_crud
from app.database import SessionLocal, get_db

router = APIRouter(prefix="/warehouses", tags=["warehouses"])


@router.get("/", response_model=list[schemas.WarehouseOut])
def list_warehouses(db: Session = Depends(get_db)):
    return warehouses_crud.get_warehouses(db)


@router.get("/{warehouse_id}/stock.csv")
def export_stock(warehouse_id: int, db: Session = Depends(get_db)):
    if warehouses_crud.get_warehouse(db, warehouse_id) is None:
        raise HTTPException(status_code=404, detail="Warehouse not found")

    # get_db's session is closed before StreamingResponse iterates
    def rows():
        stream_db = SessionLocal()
        try:
            yield "sku,title,on_hand\n"
            for sku, title, on_hand in warehouses_crud.stock_rows(stream_db, warehouse_id):
                yield f"{sku},{title},{on_hand}\n"
        finally:
            stream_db.close()

    return StreamingResponse(rows(), media_type="text/csv")
