"""Sessions built from connection settings (the legacy way)."""
from contextlib import asynccontextmanager


@asynccontextmanager
async def session_from_params(params):
    yield params
