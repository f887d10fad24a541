from app.services.batch import batch_service


async def tick(batch_id):
    await batch_service.process_batch_background(batch_id)  # expect: DB104
