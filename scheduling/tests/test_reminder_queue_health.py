"""GET /health/queue: ok only while a worker with a live scheduler runs."""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from accounts.tests.test_user_model import _test_database_url

pytestmark = pytest.mark.django_db(transaction=True)


def test_queue_health_is_503_without_a_worker_and_200_with_one():
    client = APIClient()
    response = client.get("/health/queue")
    assert response.status_code == 503
    assert response.json() == {"status": "degraded", "workers": 0, "scheduler": "down"}

    env = {**os.environ, "DATABASE_URL": _test_database_url(), "REDIS_URL": settings.REDIS_URL}
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "rqworker", "default", "--with-scheduler"],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own group: the scheduler it forks is stopped with it
    )
    try:
        deadline = time.monotonic() + 60
        while (response := client.get("/health/queue")).status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "workers": 1, "scheduler": "ok"}
        assert "no-cache" in response["Cache-Control"]
    finally:
        stop_group(worker)


def stop_group(process: subprocess.Popen) -> None:
    """SIGTERM the worker's process group (worker and scheduler), SIGKILL what outlives 30 s."""
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)


def test_queue_health_is_503_when_redis_is_unreachable(settings, tmp_path):
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": f"unix://{tmp_path}/nobody.sock?db=0"}
    }
    response = APIClient().get("/health/queue")
    assert response.status_code == 503
    assert response.json() == {"status": "degraded", "workers": 0, "scheduler": "down"}
