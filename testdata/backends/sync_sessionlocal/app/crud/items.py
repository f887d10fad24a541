from sqlalchemy import select
from sqlalchemy.orm import Session

from app import models, schemas


def get_item(db: Session, item_id: int) -> models.Item | None:
    return db.get(models.Item, item_id)


def get_item_by_sku(db: Session, sku: str) -> models.Item | None:
    return db.scalar(select(models.Item).where(models.Item.sku == sku))


def get_items(db: Session, skip: int = 0, limit: int = 100) -> list[models.Item]:
    stmt = select(models.Item).where(models.Item.archived.is_(False)).offset(skip).limit(limit)
    return list(db.scalars(stmt))


def create_item(db: Session, item: schemas.ItemCreate) -> models.Item:
    db_item = models.Item(**item.model_dump())
    db.add(db_item)
    db.flush()
    return db_item


def archive_item(db: Session, item: models.Item) -> None:
    item.archived = True
    db.flush()


def adjust_stock(db: Session, item_id: int, warehouse_id: int, delta: int) -> models.StockLevel:
    level = db.scalar(
        select(models.StockLevel).where(
            models.StockLevel.item_id == item_id,
            models.StockLevel.warehouse_id == warehouse_id,
        )
    )
    if level is None:
        level = models.StockLevel(item_id=item_id, warehouse_id=warehouse_id, on_hand=0)
        db.add(level)
    level.on_hand += delta
    db.commit()
    db.refresh(level)
    return level
