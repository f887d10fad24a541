# path: app/services/held.py
"""The check parses this helper's body as `...` (it names nothing of the
module): its string annotation is read from the whole text."""
from app.db.legacy_session import legacy_factory


def holder(x):
    y: "legacy_factory" = x
    return y
