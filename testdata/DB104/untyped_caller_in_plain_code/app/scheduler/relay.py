"""Hands batches on to whatever service it is given."""
import logging

logger = logging.getLogger(__name__)


async def relay(service, batch_id, settings):
    # Nothing here names the database, so the check parses this body as
    # `...`; the reference search must still read it: `service` may be a
    # BatchService, and `settings` the connection settings it takes.
    logger.info("relaying %s", batch_id)
    await service.process_batch_background(batch_id, settings)
