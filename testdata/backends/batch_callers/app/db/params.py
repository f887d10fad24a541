from app.config import settings


def get_db_params() -> dict:
    return {
        "url": settings.database_url,
        "pool_size": 2,
        "application_name": "payrun-batches",
    }
