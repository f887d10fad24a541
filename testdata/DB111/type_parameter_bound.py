# path: app/services/generic.py
"""A name used only in a type parameter's bound (PEP 695) is used."""
from app.db.legacy_session import legacy_factory  # expect: DB101


def build[F: legacy_factory](make: F) -> F:
    return make
