# path: app/services/shapes.py
from app import dependencies as deps
from app.dependencies import get_db_params as params_provider


def build_params(tenant):
    params = params_provider()  # expect: DB104
    params["tenant"] = tenant
    return params


async def run_job(job_id, **db_params):  # expect: DB104
    return job_id, db_params


async def spread(job_id):
    db_params = deps.get_db_params()  # expect: DB104
    await run_job(job_id, **db_params)  # expect: DB104


async def kwargs_only(job_id, **options):
    # Other keyword bags are not connection settings.
    await run_job(job_id, **options)
    return options
