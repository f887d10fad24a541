from app.db.param_session import session_from_params


async def build_report(report_id: int, db_params: dict):  # expect: DB104
    url = db_params["url"]
    async with session_from_params(url) as session:
        await session.get(object, report_id)
