import csv
import io
import logging
from datetime import datetime, timezone

from app.db.direct import get_direct_session
from app.models import Contact, ImportJob

logger = logging.getLogger(__name__)


async def process(job_id: int, db_params: dict) -> None:
    async with get_direct_session(db_params) as session:
        job = await session.get(ImportJob, job_id)
        if job is None:
            logger.warning("import %s vanished before it ran", job_id)
            return
        job.status = "running"
        rows = 0
        for row in csv.DictReader(io.StringIO(job.payload)):
            session.add(Contact(project_id=job.project_id, email=row["email"].strip().lower(), name=row.get("name", "")))
            rows += 1
        job.rows_imported = rows
        job.status = "done"
        job.finished_at = datetime.now(timezone.utc)
    logger.info("import %s: %s rows", job_id, rows)
