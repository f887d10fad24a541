import logging
import time
from multiprocessing.pool import ThreadPool

import schedule

log = logging.getLogger(__name__)


class Scheduler:
    """Holds every scheduled function; jobs register themselves with @scheduler.add."""

    def __init__(self, num_workers: int = 8):
        self.pool = ThreadPool(processes=num_workers)
        self.registered: dict[str, schedule.Job] = {}
        self.running = True

    def add(self, job: schedule.Job, name: str | None = None):
        def decorator(func):
            self.registered[name or func.__name__] = job.do(self.pool.apply_async, func)
            return func

        return decorator

    def start(self) -> None:
        log.info("Starting scheduler with %d jobs...", len(self.registered))
        while self.running:
            schedule.run_pending()
            time.sleep(1)

    def stop(self) -> None:
        self.running = False
        self.pool.close()


scheduler = Scheduler()


def run() -> None:
    # importing the job modules registers their functions
    from app.billing import jobs as billing_jobs  # noqa: F401
    from app.orders import jobs as order_jobs  # noqa: F401

    scheduler.start()
