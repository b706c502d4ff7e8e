"""Fault injection against the real stack: gunicorn serving the project while
its PostgreSQL goes away under load, then comes back. The test runs its OWN PostgreSQL,
so stopping it touches nothing else."""

import time

import pytest

from accounts.tests.factories import PASSWORD
from config.tests.faults import Load, call, manage, own_postgres, own_redis
from config.tests.live import gunicorn, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def test_postgres_restarted_under_load(tmp_path):
    with own_redis() as (redis_url, _, _), own_postgres() as (database_url, stop_db, start_db):
        env = {"DATABASE_URL": database_url, "REDIS_URL": redis_url}
        manage("migrate", "--noinput", **env)
        admin = {"DJANGO_SUPERUSER_EMAIL": "ops@clinic.test", "DJANGO_SUPERUSER_USERNAME": "ops",
                 "DJANGO_SUPERUSER_PASSWORD": PASSWORD}  # fmt: skip
        manage("createsuperuser", "--noinput", **env, **admin)
        with gunicorn(**env, WEB_CONCURRENCY="2", PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "prom")) as base:
            status, body = call(
                "POST", f"{base}/api/v1/auth/login", {"username": "ops", "password": PASSWORD}
            )
            assert status == 200, body
            token = body["access_token"]
            slot = iter(range(1, 100_000))

            def read():
                return ("read", *call("GET", f"{base}/api/v1/clients", token=token))

            def write():
                body = {"first_name": "Load", "last_name": f"Test{next(slot)}"}
                return ("write", *call("POST", f"{base}/api/v1/clients", body, token=token))

            down_bodies = []

            def tally(request):
                def run():
                    name, status, body = request()
                    if status == 503:
                        down_bodies.append(body)
                    return name, status, body

                return run

            with Load([tally(read), tally(write)]) as load:
                time.sleep(2)
                load.phase = "down"
                stop_db()
                time.sleep(3)
                health_down = call("GET", f"{base}/health")
                load.phase = "restarting"
                start_db()
                recovered = wait_until(lambda: call("GET", f"{base}/api/v1/clients", token=token)[0] == 200,
                                       seconds=30)  # fmt: skip
                load.phase = "back"
                time.sleep(2)
    print({phase: dict(counter) for phase, counter in load.seen.items()})
    five_hundreds = [entry for entry in load.bodies if entry[2] != 503]
    assert five_hundreds == []  # 503 while down, never a 500
    assert load.statuses("down")[("read", 503)] > 0 and load.statuses("down")[("write", 503)] > 0
    assert all(body == {"detail": body["detail"], "code": "service_unavailable"} for body in down_bodies)
    assert health_down[0] == 503 and health_down[1]["checks"]["db"] != "ok"
    assert recovered
    for phase in ("before", "back"):
        statuses = load.statuses(phase)
        assert statuses[("read", 200)] > 0 and statuses[("write", 201)] > 0, (phase, statuses)
        assert {status for (_, status) in statuses} <= {200, 201}, (phase, statuses)
