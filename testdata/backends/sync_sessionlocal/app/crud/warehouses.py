from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Item, StockLevel, Warehouse


def get_warehouses(db: Session) -> list[Warehouse]:
    return list(db.scalars(select(Warehouse).order_by(Warehouse.code)))


def get_warehouse(db: Session, warehouse_id: int) -> Warehouse | None:
    return db.get(Warehouse, warehouse_id)


def stock_rows(db: Session, warehouse_id: int):
    stmt = (
        select(Item.sku, Item.title, StockLevel.on_hand)
        .join(StockLevel, StockLevel.item_id == Item.id)
        .where(StockLevel.warehouse_id == warehouse_id)
        .order_by(Item.sku)
    )
    return db.execute(stmt).all()
