"""Fill an empty database with demo warehouses and items.

    python -m scripts.seed_demo postgresql+psycopg2://stockroom:stockroom@localhost/stockroom
"""
import sys

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from app.database import Base
from app.models import Item, StockLevel, Warehouse

WAREHOUSES = [("BER1", "Berlin Spandau"), ("HAM2", "Hamburg Hafen")]
ITEMS = [("TAPE-48", "Packing tape 48mm"), ("BOX-S", "Shipping box S"), ("BOX-M", "Shipping box M")]


def main(url: str) -> None:
    engine = create_engine(url, echo=True)
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        warehouses = [Warehouse(code=code, name=name) for code, name in WAREHOUSES]
        items = [Item(sku=sku, title=title) for sku, title in ITEMS]
        session.add_all(warehouses + items)
        session.flush()
        for warehouse in warehouses:
            for item in items:
                session.add(StockLevel(item_id=item.id, warehouse_id=warehouse.id, on_hand=100))
        session.commit()
    engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1])
