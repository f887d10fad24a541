from arq import cron
from arq.connections import RedisSettings

from ..config import settings
from ..db.session import engine
from .jobs import mark_overdue_invoices, send_payment_reminders


async def shutdown(ctx: dict) -> None:
    await engine.dispose()


class WorkerSettings:
    redis_settings = RedisSettings.from_dsn(settings.REDIS_URL)
    cron_jobs = [
        cron(mark_overdue_invoices, hour={1}, minute={15}),
        cron(send_payment_reminders, hour={8}, minute={0}),
    ]
    on_shutdown = shutdown
