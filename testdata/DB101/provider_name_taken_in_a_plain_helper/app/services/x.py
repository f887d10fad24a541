from app.db.session import async_session_factory  # expect: DB101


async def run():
    async with async_session_factory() as session:  # expect: DB102
        await session.commit()


def plain(items):
    # The check does not parse this body (it names nothing a rule reads),
    # but its local takes the provider's name: the fix cannot import it.
    unit_of_work = len(items)
    return unit_of_work
