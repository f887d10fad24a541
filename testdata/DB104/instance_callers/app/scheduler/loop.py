from app.dependencies import get_db_params
from app.services.batch import batch_service


async def tick(batch_id):
    await batch_service.process_batch_background(batch_id, db_params=get_db_params())  # expect: DB104
