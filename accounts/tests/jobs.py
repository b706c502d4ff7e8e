"""The accounts app's RQ jobs in tests: a real burst worker on the real Redis."""

import django_rq
from rq import SimpleWorker


def queue():
    return django_rq.get_queue("default")


def queued_job_names() -> list[str]:
    return [job.func_name for job in queue().get_jobs()]


def run_jobs() -> None:
    """Run every queued job in this process (so on the test's database connection)."""
    SimpleWorker([queue()], connection=queue().connection).work(burst=True)
