"""stack_status on an ops engineer's bad day: a scheduler that died is not
"never seen", PostgreSQL down still shows the reminders line, and only jobs
that failed recently page (RQ keeps failed jobs a year)."""

import time

import django_rq
import pytest
from rest_framework.test import APIClient
from rq.defaults import DEFAULT_FAILURE_TTL
from rq.job import Job
from rq.registry import FailedJobRegistry

from config.tests.live import queue_status, rq_worker, stack_status, wait_until

pytestmark = pytest.mark.django_db(transaction=True)

DAY = 24 * 3600


def line(output: str, name: str) -> str:
    return next(row for row in output.splitlines() if f" {name} " in f"{row} ")


def fail_a_job(*, days_ago: float) -> None:
    """A job in RQ's failed registry as RQ leaves it, failed `days_ago` ago."""
    queue = django_rq.get_queue("default")
    job = Job.create(func="builtins.print", connection=queue.connection, origin="default")
    job.save()
    FailedJobRegistry("default", connection=queue.connection).add(
        job, ttl=int(DEFAULT_FAILURE_TTL - days_ago * DAY)
    )


def test_a_scheduler_seen_before_says_how_long_ago():
    with rq_worker():
        assert wait_until(lambda: queue_status(APIClient())[0] == 200, seconds=30)
    time.sleep(1)
    result = stack_status()
    assert result.returncode == 1
    scheduler = line(result.stdout, "scheduler")
    assert "FAIL" in scheduler and "never seen" not in scheduler
    assert "not running; last seen" in scheduler and " s ago" in scheduler


def test_a_scheduler_never_seen_says_so():
    assert "never seen" in line(stack_status().stdout, "scheduler")


def test_postgres_down_still_prints_the_reminders_line():
    result = stack_status(DATABASE_URL="postgres://clinic@127.0.0.1:1/clinic")
    assert result.returncode == 1
    assert "UNREACHABLE" in line(result.stdout, "postgres")
    reminders = line(result.stdout, "reminders")
    assert "FAIL" in reminders and "unknown: PostgreSQL is unreachable" in reminders


def test_a_job_failed_long_ago_does_not_page():
    fail_a_job(days_ago=300)
    rq_jobs = line(stack_status().stdout, "rq jobs")
    assert "FAIL" not in rq_jobs
    assert "0 failed in the last day (1 failed in all)" in rq_jobs


def test_a_job_failed_today_pages():
    fail_a_job(days_ago=0.1)
    result = stack_status()
    assert result.returncode == 1
    rq_jobs = line(result.stdout, "rq jobs")
    assert "FAIL" in rq_jobs and "1 failed in the last day (1 failed in all)" in rq_jobs
