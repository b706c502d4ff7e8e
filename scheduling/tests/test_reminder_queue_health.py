"""GET /health/queue: ok only while a worker with a live scheduler runs."""

import os
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
    )
    try:
        deadline = time.monotonic() + 60
        while (response := client.get("/health/queue")).status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "workers": 1, "scheduler": "ok"}
        assert "no-cache" in response["Cache-Control"]
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def test_queue_health_is_503_when_redis_is_unreachable(settings, tmp_path):
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": f"unix://{tmp_path}/nobody.sock?db=0"}
    }
    response = APIClient().get("/health/queue")
    assert response.status_code == 503
    assert response.json() == {"status": "degraded", "workers": 0, "scheduler": "down"}
