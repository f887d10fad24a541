from arq import cron
from arq.connections import RedisSettings

from app.core.config import settings
from app.core.db import sessionmanager
from app.tasks.digests import send_daily_digests
from app.tasks.indexing import reindex_note


async def reindex(ctx: dict, note_id: int) -> None:
    await reindex_note(note_id)


async def shutdown(ctx: dict) -> None:
    await sessionmanager.close()


class WorkerSettings:
    functions = [reindex]
    cron_jobs = [cron(send_daily_digests, hour={settings.DIGEST_HOUR_UTC}, minute={0})]
    on_shutdown = shutdown
    redis_settings = RedisSettings.from_dsn(settings.REDIS_URL)
