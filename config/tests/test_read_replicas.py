"""Read replicas (config/replicas.py) with real servers: an embedded
PostgreSQL primary and a streaming replica (config/replication.py), and
gunicorn configured with DATABASE_REPLICA_URLS, called over HTTP.

The replica's replay is paused to make it lag: a reader who is not pinned
sees the replica's past, the user who just wrote sees their write (pinned to
the primary for REPLICA_PIN_SECONDS), and past REPLICA_MAX_LAG_SECONDS the
replica is skipped. Stopped, it is skipped too, with no 5xx."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from config import replication
from config.tests.live import gunicorn, http_get, wait_until

PASSWORD = "correct-horse-battery-staple"
TOKEN = "replica-test-metrics"
MAKE_USERS = f"""
from accounts.models import Role, User
from accounts import roles
for name in ("front1", "front2"):
    user = User.objects.create_user(name, f"{{name}}@clinic.test", "{PASSWORD}", role=Role.STAFF)
    roles.apply_role(user)
"""


@pytest.fixture(scope="module")
def pair():
    base = Path(tempfile.mkdtemp(prefix="clinic-replicas-"))  # not pytest's: the servers' user must enter it
    base.chmod(0o755)
    primary = replication.start_primary(base / "primary")
    replica = None
    try:
        env = {**os.environ, "DATABASE_URL": primary.url()}
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "--no-input", "-v0"], cwd=settings.BASE_DIR, env=env, check=True)
        subprocess.run([*manage, "shell", "-c", MAKE_USERS], cwd=settings.BASE_DIR, env=env, check=True)
        replica = replication.start_replica(primary, base / "replica")
        replication.wait_replayed(primary, replica)
        yield primary, replica
    finally:
        if replica is not None:
            replica.stop(mode="immediate")
        primary.stop(mode="immediate")
        shutil.rmtree(base, ignore_errors=True)


def app(primary, replica, **env):
    return gunicorn(
        DATABASE_URL=primary.url(),
        DATABASE_REPLICA_URLS=replica.url(),
        METRICS_TOKEN=TOKEN,
        WEB_CONCURRENCY="2",
        **env,
    )


def call(base: str, method: str, path: str, token: str | None = None, body: dict | None = None):
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{base}{path}", data=data, headers=headers, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (our loopback server)
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def sign_in(base: str, username: str) -> str:
    status, body = call(base, "POST", "/api/v1/auth/login", body={"username": username, "password": PASSWORD})
    assert status == 200, body
    return body["access_token"]


def client_names(base: str, token: str) -> set[str]:
    status, body = call(base, "GET", "/api/v1/clients/?page_size=100", token)
    assert status == 200, body
    return {row["last_name"] for row in body["results"]}


def new_client(base: str, token: str, last_name: str) -> None:
    body = {"first_name": "Ada", "last_name": last_name, "email": f"{last_name.lower()}@example.test"}
    status, answer = call(base, "POST", "/api/v1/clients/", token, body)
    assert status == 201, answer


def replica_reads(base: str) -> float:
    _, text = http_get(f"{base}/metrics", {"Authorization": f"Bearer {TOKEN}"})
    line = next(
        (row for row in text.splitlines() if row.startswith('clinic_db_reads_total{database="replica1"}')), ""
    )
    return float(line.split()[-1]) if line else 0.0


def test_reads_go_to_the_replica_and_a_writer_sees_their_write(pair):
    primary, replica = pair
    with app(primary, replica, REPLICA_MAX_LAG_SECONDS="600", REPLICA_PIN_SECONDS="3") as base:
        writer, reader = sign_in(base, "front1"), sign_in(base, "front2")
        client_names(base, reader)
        assert replica_reads(base) > 0
        replica.sql("SELECT pg_wal_replay_pause()")
        try:
            new_client(base, writer, "Pinned")
            assert "Pinned" in client_names(base, writer)  # read-your-writes: the primary
            assert "Pinned" not in client_names(base, reader)  # the paused replica's past
            time.sleep(3.5)
            assert "Pinned" not in client_names(base, writer)  # the pin is over: the replica again
        finally:
            replica.sql("SELECT pg_wal_replay_resume()")
        assert wait_until(lambda: "Pinned" in client_names(base, reader), seconds=10)


def test_a_lagging_replica_is_skipped_and_health_says_so(pair):
    primary, replica = pair
    with app(primary, replica, REPLICA_MAX_LAG_SECONDS="1") as base:
        writer, reader = sign_in(base, "front1"), sign_in(base, "front2")
        replica.sql("SELECT pg_wal_replay_pause()")
        try:
            new_client(base, writer, "Lagged")
            time.sleep(1.5)
            status, text = http_get(f"{base}/health/db")
            health = json.loads(text)
            assert status == 200 and health["primary"] == "ok"
            assert health["replicas"]["replica1"]["status"] == "lagging"
            assert health["replicas"]["replica1"]["lag_seconds"] > 1
            assert wait_until(lambda: "Lagged" in client_names(base, reader), seconds=10)  # the primary
        finally:
            replica.sql("SELECT pg_wal_replay_resume()")
        assert wait_until(
            lambda: json.loads(http_get(f"{base}/health/db")[1])["replicas"]["replica1"]["status"] == "ok",
            seconds=10,
        )


def test_a_stopped_replica_costs_no_5xx_and_health_says_down(pair):
    primary, replica = pair
    with app(primary, replica) as base:
        reader = sign_in(base, "front2")
        client_names(base, reader)
        replica.stop(mode="immediate")
        try:
            for _ in range(20):
                client_names(base, reader)  # asserts 200 each time
            status, text = http_get(f"{base}/health/db")
            assert status == 200
            assert json.loads(text)["replicas"] == {"replica1": {"status": "down", "lag_seconds": None}}
            assert "postgres://" not in text and str(replica.socket_dir) not in text
            _, metrics = http_get(f"{base}/metrics", {"Authorization": f"Bearer {TOKEN}"})
            assert 'clinic_db_replica_lag_seconds{replica="replica1"} -1.0' in metrics
        finally:
            replica.start()
        ok = wait_until(
            lambda: json.loads(http_get(f"{base}/health/db")[1])["replicas"]["replica1"]["status"] == "ok",
            seconds=15,
        )
        assert ok, http_get(f"{base}/health/db")
