# path: app/services/lazy_engine.py
"""Imports kept out of the module's top on purpose: moving their
replacement there could make an import cycle, or a runtime import of what
was only for type checkers."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.db.legacy_session import legacy_engine  # expect: DB112


def url(bound: legacy_engine):
    return bound.url


def dispose():
    from app.db.legacy_session import legacy_engine  # expect: DB112

    return legacy_engine.dispose()
