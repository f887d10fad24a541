"""A second, sync session module for the worker."""
from sqlalchemy import create_engine
import warnings

warnings.warn(
    "app.worker.db is deprecated; use app.db.session",
    DeprecationWarning,
    stacklevel=2,
)

engine = create_engine("postgresql+psycopg2://app@db/app")  # expect: DB103
