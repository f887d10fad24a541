from app.config import settings


def get_db_params() -> dict:
    """Connection settings for the import workers."""
    return {
        "statement_timeout_ms": settings.import_statement_timeout_ms,
        "application_name": "intake-importer",
    }
