from uuid import uuid4

import pytest

from app.services.batch import BatchService


def test_chunks_respect_chunk_size():
    service = BatchService(chunk_size=10)
    assert [len(chunk) for chunk in service._chunks(list(range(25)))] == [10, 10, 5]


@pytest.mark.integration
async def test_unknown_batch_is_a_noop():
    sent = await BatchService(chunk_size=10).process_batch_background(uuid4(), db_params={})
    assert sent == 0
