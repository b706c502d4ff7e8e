# ruff: noqa: S101 (pytest asserts, as in every app's tests/)
"""`make test-cluster`: the cluster of `make cluster` (config/cluster.py), real
processes on this machine, under bounded load through HAProxy while parts of
it are killed, one at a time (README "Beyond one machine" quotes the figures
this prints):

1. a gunicorn node is SIGKILLed: HAProxy stops sending to it;
2. the Redis master is SIGKILLed: Sentinel promotes the replica and the app
   follows;
3. the PostgreSQL replica is stopped, then its replay is paused: reads move to
   the primary, and a user who just booked lists the booking at once;
4. an RQ worker is SIGKILLed: the other sends every due reminder, once.

After each, no request failed after its retries, none left a half-written or
doubled booking, and no reminder went out twice."""

import json
import os
import signal
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from cluster.load import Load, call
from config import cluster as cluster_module
from config.redis_failover import free_port

PASSWORD = "demo-password-change-me"  # noqa: S105 (seed_demo's development password)
HANDFUL = 6
FOLLOW_WITHIN_SECONDS = 15
FIGURES: dict[str, dict] = {}


def sign_in(base: str, username: str) -> str:
    status, body = call("POST", f"{base}/api/v1/auth/login", {"username": username, "password": PASSWORD})
    assert status == 200, body
    return body["access_token"]


def wait_until(condition, seconds: float, interval: float = 0.25) -> float | None:
    """Seconds until `condition()` held, or None."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if condition():
            return time.monotonic() - started
        time.sleep(interval)
    return None


@pytest.fixture(scope="module")
def stack():
    if missing := cluster_module.missing_binaries():
        pytest.fail(f"make test-cluster needs {', '.join(missing)}: apt-get install -y {' '.join(missing)}")
    data = Path(tempfile.mkdtemp(prefix="clinic-cluster-"))
    extra = {
        "REMINDER_OFFSETS_MINUTES": "1",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(data / "mail"),
        "LOGIN_RATE": "100000/m",
        "LOGIN_IP_RATE": "100000/m",
    }
    for name in ("DATABASE_URL", "DATABASE_REPLICA_URLS", "REDIS_URL"):
        os.environ.pop(name, None)  # the cluster's own servers, not the suite's
    with cluster_module.running(data, port=free_port(), extra_env=extra) as running:
        yield running, data
    print("\ncluster figures:", json.dumps(FIGURES, indent=1))


REMINDED_DOCTORS = 3  # new doctors for the worker phase: no demo visit holds their time


@pytest.fixture(scope="module")
def load_setup(stack):
    """Every doctor works all day every day (so any test time is bookable),
    three of them new, without the demo's visits (the demo fills today's
    working hours); a client of the front desk's for the load's bookings."""
    running, _ = stack
    base = running.url
    admin, staff = sign_in(base, "admin"), sign_in(base, "frontdesk")
    for n in range(REMINDED_DOCTORS):
        person = {
            "email": f"reminded.doctor{n}@example.test",
            "username": f"reminded.doctor{n}",
            "password": PASSWORD,
            "full_name": f"Reminded Doctor {n}",
            "role": "doctor",
        }
        status, body = call("POST", f"{base}/api/v1/users/", person, token=admin)
        assert status == 201, body
    doctors = call("GET", f"{base}/api/v1/users/?role=doctor&page_size=100", token=admin)[1]["results"]
    every_day = [{"weekday": day, "start": "00:00", "end": "23:59"} for day in range(7)]
    for doctor in doctors:
        path = f"{base}/api/v1/doctors/{doctor['id']}/working-hours"
        status, body = call("PUT", path, every_day, token=admin)
        assert status == 200, body
    body = {"first_name": "Load", "last_name": "Test"}
    status, client = call("POST", f"{base}/api/v1/clients/", body, token=staff)
    assert status == 201, client
    return base, staff, client["id"], sorted(doctor["id"] for doctor in doctors)


def run_phase(load: Load, name: str, fault, seconds: float) -> dict:
    load.phase = name
    started = time.monotonic()
    extra = fault() or {}
    time.sleep(max(0.0, seconds - (time.monotonic() - started)))
    load.phase = f"after {name}"
    tally = load.tallies[name]
    figures = {
        "requests": tally.requests,
        "retried": tally.retried,
        "failed": tally.failed,
        "5xx tries": sum(n for s, n in tally.statuses.items() if s is not None and s >= 500),
        "no-answer tries": tally.statuses.get(None, 0),
        **extra,
    }
    FIGURES[name] = figures
    return figures


def test_faults_one_at_a_time(stack, load_setup):
    running, data = stack
    base, staff, client_id, doctor_ids = load_setup
    with Load(base, staff, ("patient", PASSWORD), client_id, doctor_ids[0]) as load:
        time.sleep(4)

        def kill_node():
            node = running.nodes[0]
            os.killpg(node.process.pid, signal.SIGKILL)

        node = run_phase(load, "gunicorn node killed", kill_node, 8)
        assert node["failed"] == 0 and node["retried"] <= HANDFUL, node

        def kill_redis_master():
            running.redis.master.kill()
            followed = wait_until(
                lambda: (
                    running.redis.current_master_port() == running.redis.replica.port
                    and call("GET", f"{base}/health/redis")[0] == 200
                ),
                FOLLOW_WITHIN_SECONDS,
            )
            return {"seconds to follow": round(followed, 1) if followed else None}

        redis = run_phase(load, "redis master killed", kill_redis_master, 8)
        assert redis["seconds to follow"] is not None and redis["failed"] == 0, redis

        def stop_replica():
            running.replica.stop(mode="immediate")
            time.sleep(4)
            running.replica.start()

        replica = run_phase(load, "postgres replica stopped", stop_replica, 6)
        assert replica["failed"] == 0 and replica["5xx tries"] == 0, replica

        paused = run_phase(load, "postgres replica paused", lambda: read_your_writes(running, base, staff), 6)
        assert paused["failed"] == 0 and paused["5xx tries"] == 0 and paused["own booking listed at once"], (
            paused
        )

    assert_bookings_whole(running, load, client_id)
    worker = worker_killed(running, base, staff, data, doctor_ids[-REMINDED_DOCTORS:])
    FIGURES["rq worker killed"] = worker
    assert worker["reminders sent"] == worker["reminders due"] and worker["sent twice"] == 0, worker


def read_your_writes(running, base: str, staff: str) -> dict:
    running.replica.sql("SELECT pg_wal_replay_pause()", database="postgres")
    try:
        me = call("GET", f"{base}/api/v1/auth/me", token=staff)[1]
        status, answer = call(
            "POST", f"{base}/api/v1/clients/", {"first_name": "Pinned", "last_name": "Read"}, token=staff
        )
        assert status == 201, answer
        listed = call("GET", f"{base}/api/v1/clients/{answer['id']}/", token=staff)[0] == 200
        time.sleep(4)
        return {"own booking listed at once": listed, "by": me.get("username")}
    finally:
        running.replica.sql("SELECT pg_wal_replay_resume()", database="postgres")


def assert_bookings_whole(running, load: Load, client_id: int) -> None:
    """Every 201 is one appointment with its reminder rows; no retry booked twice."""
    rows = running.primary.sql(
        "SELECT a.id, count(r.id) FROM scheduling_appointment a"
        " LEFT JOIN scheduling_reminder r ON r.appointment_id = a.id"
        " WHERE a.client_id = %s GROUP BY a.id",
        [client_id],
    )
    stored = {row[0]: row[1] for row in rows}
    assert set(load.booked.values()) == set(stored), "a booking answered 201 is missing, or one was doubled"
    assert all(count >= 1 for count in stored.values()), "a booking without its reminder rows"
    FIGURES["bookings"] = {"answered 201": len(load.booked), "stored": len(stored)}


def worker_killed(running, base: str, staff: str, data: Path, doctor_ids: list[int]) -> dict:
    """One worker SIGKILLed, then a visit per doctor (new ones, whose time is
    free) 80 s ahead, so each reminder (REMINDER_OFFSETS_MINUTES=1) falls due
    20 s later."""
    running.retire_worker(0)
    starts = (datetime.now().astimezone() + timedelta(seconds=80)).replace(microsecond=0)
    ids = []
    for n, doctor_id in enumerate(doctor_ids):
        person = {"first_name": "Reminded", "last_name": f"Client{n}", "email": f"reminded{n}@example.test"}
        client = call("POST", f"{base}/api/v1/clients/", person, token=staff)[1]["id"]
        body = {
            "client": client,
            "doctor": doctor_id,
            "starts_at": starts.isoformat(),
            "duration_minutes": 15,
        }
        status, answer = call("POST", f"{base}/api/v1/appointments/", body, token=staff)
        assert status == 201, answer
        ids.append(answer["id"])
    query = "SELECT count(*) FROM scheduling_reminder WHERE status = 'sent' AND appointment_id = ANY(%s)"
    due_in = (starts - timedelta(minutes=1) - datetime.now().astimezone()).total_seconds()
    took = wait_until(lambda: running.primary.sql(query, [ids])[0][0] == len(ids), due_in + 150, interval=1)
    emails = reminder_emails(data / "mail")
    return {
        "reminders due": len(ids),
        "reminders sent": running.primary.sql(query, [ids])[0][0],
        "seconds after due": round(took - due_in, 1) if took else None,
        "reminder emails": emails,
        "sent twice": emails - len(ids),
    }


def reminder_emails(directory: Path) -> int:
    """Reminder messages to this phase's clients in the file backend's files
    (one file per connection, messages separated by a line of dashes)."""
    messages = [
        message
        for path in (directory.iterdir() if directory.exists() else [])
        for message in path.read_text(errors="replace").split("-" * 79)
    ]
    return sum("X-Clinic-Email: reminder" in m and "To: reminded" in m for m in messages)
