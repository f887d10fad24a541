# path: scripts/misplaced.py
"""statement_cache_size on the builder is DB114's: moving it fixes both."""
import os

from sqlalchemy.ext.asyncio import create_async_engine


def make_engine(url):
    return url


engine = create_async_engine(  # expect: DB103
    os.environ["URL"],
    statement_cache_size=0,  # expect: DB114
    connect_args={"ssl": "require"},
)
other = make_engine("create_async_engine(url)")
