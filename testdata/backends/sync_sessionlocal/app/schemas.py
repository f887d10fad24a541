from pydantic import BaseModel, ConfigDict


class ItemCreate(BaseModel):
    sku: str
    title: str


class ItemOut(ItemCreate):
    model_config = ConfigDict(from_attributes=True)

    id: int
    archived: bool


class StockAdjust(BaseModel):
    warehouse_id: int
    delta: int


class WarehouseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
