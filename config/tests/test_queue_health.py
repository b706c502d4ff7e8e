import django_rq
import pytest
from rest_framework.test import APIClient

from config.tests.live import queue_status, rq_worker, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def test_queue_is_503_degraded_without_a_worker():
    status, body = queue_status(APIClient())
    assert status == 503
    assert body == {"status": "degraded", "workers": 0, "scheduler": "down"}


def test_queue_is_ok_with_a_worker_and_recovers_after_redis_loses_everything():
    client = APIClient()
    with rq_worker():
        assert wait_until(lambda: queue_status(client)[0] == 200, seconds=30)
        assert queue_status(client) == (200, {"status": "ok", "workers": 1, "scheduler": "ok"})

        django_rq.get_connection("default").flushdb()  # a failover to an empty replica
        assert queue_status(client)[0] == 503

        # The worker is untouched; its heartbeats make it visible again within a minute.
        assert wait_until(lambda: queue_status(client)[0] == 200, seconds=60, interval=1)
    assert wait_until(lambda: queue_status(client)[0] == 503, seconds=10)


def test_health_does_not_depend_on_workers():
    response = APIClient().get("/health")
    assert response.status_code == 200


def test_queue_is_503_when_redis_is_unreachable(settings, tmp_path):
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": f"unix://{tmp_path}/nobody.sock?db=0"}
    }
    status, body = queue_status(APIClient())
    assert status == 503
    assert body == {"status": "degraded", "workers": 0, "scheduler": "down"}
