from app.dependencies import get_db_params


async def tick(service, batch_id):
    # `service` could be anything: the conversion cannot prove it is not a BatchService
    await service.process_batch_background(batch_id, db_params=get_db_params())  # expect: DB104
