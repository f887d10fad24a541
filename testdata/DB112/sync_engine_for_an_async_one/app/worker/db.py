"""A second, sync session module for the worker."""
from sqlalchemy import create_engine

engine = create_engine("postgresql+psycopg2://app@db/app")  # expect: DB103
