"""After a Redis outage the RQ scheduler is back within a minute, not at RQ's
next maintenance pass (10 minutes); the worker's health check
(`manage.py worker_health`) fails while no scheduler runs."""

import os
import subprocess
import sys
import time

import pytest
import redis
from django.conf import settings

from config.queue_health import SEEN_KEY
from config.tests.faults import own_redis
from config.tests.live import child_database_url, rq_worker, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def worker_health(redis_url: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "worker_health"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DATABASE_URL": child_database_url(), "REDIS_URL": redis_url},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_scheduler_comes_back_within_a_minute_of_redis():
    with own_redis() as (url, stop_redis, start_redis), rq_worker(REDIS_URL=url):
        assert wait_until(lambda: worker_health(url).returncode == 0, seconds=30)
        stop_redis()
        down = worker_health(url)
        assert down.returncode == 1 and "unhealthy: redis unreachable" in down.stderr
        time.sleep(5)  # the scheduler fails on its next beat and its process ends
        start_redis()  # empty, as after a restart without persistence
        back = time.monotonic()
        assert wait_until(lambda: worker_health(url).returncode == 0, seconds=60, interval=1)
        print(f"worker and scheduler healthy {time.monotonic() - back:.1f} s after Redis came back")
        assert "ok: 1 worker(s), scheduler beat" in worker_health(url).stdout


def test_worker_health_fails_while_a_worker_beats_without_a_scheduler():
    with own_redis() as (url, _stop, _start):
        redis.Redis.from_url(url).zadd(SEEN_KEY, {"worker-without-scheduler": time.time()})
        result = worker_health(url)
    assert result.returncode == 1
    assert result.stderr.strip() == "unhealthy: scheduler not running"


def test_worker_health_fails_without_any_worker():
    with own_redis() as (url, _stop, _start):
        result = worker_health(url)
    assert result.returncode == 1
    assert result.stderr.strip() == "unhealthy: no worker seen in the last 60 s"
