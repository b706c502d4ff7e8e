"""Fault injection against the real stack: gunicorn serving the project while
its Redis goes away under load, then comes back. The test runs its OWN Redis,
so stopping it touches nothing else."""

import time

import pytest

from accounts import tokens
from accounts.tests.factories import PASSWORD
from config.tests.faults import Load, call, own_redis
from config.tests.live import child_database_url, gunicorn, wait_until
from scheduling.tests.factories import next_slot

pytestmark = pytest.mark.django_db(transaction=True)


def test_redis_stopped_under_load(world, tmp_path):
    staff_token = tokens.access_for(world.staff)
    with own_redis() as (redis_url, stop_redis, start_redis):
        env = {
            "DATABASE_URL": child_database_url(),
            "REDIS_URL": redis_url,
            "WEB_CONCURRENCY": "2",
            "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prometheus"),
            "LOGIN_RATE": "1000/m",
            "LOGIN_IP_RATE": "1000/m",
        }
        with gunicorn(**env) as base:
            slot = iter(range(1, 10_000))

            def read():
                return ("read", *call("GET", f"{base}/api/v1/clients", token=staff_token))

            def write():
                body = {"first_name": "Load", "last_name": f"Test{next(slot)}"}
                return ("write", *call("POST", f"{base}/api/v1/clients", body, token=staff_token))

            def book():
                n = next(slot)
                body = {
                    "client": world.client.pk,
                    "doctor": world.doctor.pk,
                    "starts_at": next_slot(days=30 + n).isoformat(),
                    "duration_minutes": 30,
                }
                return ("book", *call("POST", f"{base}/api/v1/appointments", body, token=staff_token))

            def login():
                body = {"username": world.patient.username, "password": PASSWORD}
                return ("login", *call("POST", f"{base}/api/v1/auth/login", body))

            with Load([read, write, book, login]) as load:
                time.sleep(2)
                assert call("GET", f"{base}/health")[0] == 200
                load.phase = "down"
                stop_redis()
                time.sleep(4)
                health_down = call("GET", f"{base}/health")
                load.phase = "back"
                start_redis()
                recovered = wait_until(lambda: call("GET", f"{base}/health")[0] == 200, seconds=20)
                time.sleep(2)
    print({phase: dict(counter) for phase, counter in load.seen.items()})
    assert load.bodies == []  # not one 5xx in any phase
    for phase in ("before", "down", "back"):
        statuses = load.statuses(phase)
        for name, ok in (("read", 200), ("write", 201), ("book", 201), ("login", 200)):
            assert statuses[(name, ok)] > 0, (phase, name, statuses)
        assert {status for (_, status) in statuses} <= {200, 201}, (phase, statuses)
    assert health_down[0] == 503 and health_down[1]["status"] == "degraded"
    assert health_down[1]["checks"]["redis"] != "ok" and health_down[1]["checks"]["db"] == "ok"
    assert recovered
