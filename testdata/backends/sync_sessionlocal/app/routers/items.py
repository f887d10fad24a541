from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException
from sqlalchemy.orm import Session

from app import schemas
from app.crud import items as items_crud
from app.database import get_db
from app.jobs import cleanup

router = APIRouter(prefix="/items", tags=["items"])


@router.get("/", response_model=list[schemas.ItemOut])
def list_items(skip: int = 0, limit: int = 100, db: Session = Depends(get_db)):
    return items_crud.get_items(db, skip=skip, limit=limit)


@router.post("/", response_model=schemas.ItemOut, status_code=201)
def create_item(item: schemas.ItemCreate, db: Session = Depends(get_db)):
    if items_crud.get_item_by_sku(db, item.sku):
        raise HTTPException(status_code=400, detail="SKU already registered")
    db_item = items_crud.create_item(db, item)
    db.commit()
    db.refresh(db_item)
    return db_item


@router.post("/{item_id}/stock")
def adjust_stock(item_id: int, adj: schemas.StockAdjust, db: Session = Depends(get_db)):
    if items_crud.get_item(db, item_id) is None:
        raise HTTPException(status_code=404, detail="Item not found")
    level = items_crud.adjust_stock(db, item_id, adj.warehouse_id, adj.delta)
    return {"item_id": item_id, "warehouse_id": adj.warehouse_id, "on_hand": level.on_hand}


@router.delete("/{item_id}", status_code=202)
def archive_item(item_id: int, background_tasks: BackgroundTasks, db: Session = Depends(get_db)):
    item = items_crud.get_item(db, item_id)
    if item is None:
        raise HTTPException(status_code=404, detail="Item not found")
    items_crud.archive_item(db, item)
    db.commit()
    background_tasks.add_task(cleanup.purge_stale_reservations)
    return {"archived": item_id}
