"""Tests may use the other engine: only DB104 and DB118 apply to tests."""
from app.db.other_session import engine, get_session


def pytest_configure():
    return engine, get_session
