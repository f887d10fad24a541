# path: scripts/report.py
import sqlalchemy as sa
from sqlalchemy import orm


def main():
    engine = sa.create_engine(  # expect: DB103
        "postgresql+psycopg2://app@db/app", connect_args={"sslmode": "require"}
    )
    factory = orm.sessionmaker(bind=engine)  # expect: DB103
    return factory
