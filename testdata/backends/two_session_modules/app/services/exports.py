import csv
from pathlib import Path

from sqlalchemy import select

from app.config import settings
from app.db.session import get_session
from app.models import Contact, Export


async def build_export(export_id: int) -> None:
    async with get_session() as session:
        export = await session.get(Export, export_id)
        contacts = await session.scalars(select(Contact).where(Contact.project_id == export.project_id))
        path = Path(settings.export_dir) / f"project-{export.project_id}-{export.id}.csv"
        with path.open("w", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["email", "name"])
            writer.writerows((c.email, c.name) for c in contacts)
        export.path = str(path)
