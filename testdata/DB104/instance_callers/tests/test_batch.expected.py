from uuid import uuid4

from app.services.batch import BatchService


async def test_process_batch():
    await BatchService(chunk_size=10).process_batch_background(uuid4())  # expect: DB104
