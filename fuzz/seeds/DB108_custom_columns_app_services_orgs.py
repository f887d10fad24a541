from sqlalchemy import select

from app.models import Project


def by_org(org_id):
    return select(Project).where(
        Project.org_id == org_id,  # expect: DB108
        Project.tenant_id == 1,
    )
