from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import text

from app.db.session import get_session
from app.tasks.maintenance import purge_finished_imports, vacuum_contacts


async def heartbeat() -> None:
    async with get_session() as session:
        await session.execute(text("UPDATE scheduler_state SET last_seen = now() WHERE id = 1"))


def build_scheduler() -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(heartbeat, "interval", seconds=30)
    scheduler.add_job(purge_finished_imports, "cron", hour=3)
    scheduler.add_job(vacuum_contacts, "cron", day_of_week="sun", hour=4)
    return scheduler
