def get_db_params() -> dict:
    return {"url": "postgresql+asyncpg://app@db/app"}
