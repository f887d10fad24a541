# path: app/services/kinds.py
"""The alias is also said in a string annotation, which a rename of its
uses would leave naming nothing."""
from app.db.legacy_session import legacy_engine as eng  # expect: DB112


async def count(q):
    async with eng.connect() as c:  # expect: DB115
        return await c.scalar(q)


def kind() -> "eng":
    return eng
