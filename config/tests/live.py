"""Helpers for tests that run the real processes: gunicorn, an RQ worker,
`manage.py` as production or `stack_status` runs it, on this run's database."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager

from cryptography.fernet import Fernet
from django.conf import settings


def child_database_url() -> str:
    """The URL of the test database this run created, for a child process."""
    db = settings.DATABASES["default"]
    host = db["HOST"] or db.get("OPTIONS", {}).get("host", "")
    if host.startswith("/"):
        return f"postgres://{db['USER']}@/{db['NAME']}?host={host}"
    auth = f"{db['USER']}:{db['PASSWORD']}@" if db["PASSWORD"] else f"{db['USER']}@"
    return f"postgres://{auth}{host}:{db['PORT'] or 5432}/{db['NAME']}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition, *, seconds: float, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return False


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def gunicorn(**env):
    """A real gunicorn serving this project; yields its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "PORT": str(port), **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        if not wait_until(lambda: _answers(f"{base}/health/live"), seconds=30):
            raise RuntimeError("gunicorn did not start")
        yield base
    finally:
        _stop(process)


def http_get(url: str, headers: dict | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (our own loopback server)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _answers(url: str) -> bool:
    try:
        return http_get(url)[0] == 200
    except OSError:
        return False


@contextmanager
def rq_worker(*args: str, **env):
    """`manage.py rqworker default --with-scheduler` as the README runs it, in a
    process group of its own, so the scheduler it forks stops with it."""
    process = subprocess.Popen(
        [sys.executable, "manage.py", "rqworker", "default", "--with-scheduler", *args],
        cwd=settings.BASE_DIR,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        yield process
    finally:
        _stop_group(process)


def _stop_group(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    if not wait_until(lambda: not _group_alive(process.pid), seconds=30):
        os.killpg(process.pid, signal.SIGKILL)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


REAL = {
    "SECRET_KEY": "a-real-secret-" + "x" * 50,
    "TOKEN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "ALLOWED_HOSTS": "clinic.example.org",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
}


def run_django(env_overrides: dict, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_ENV": "production", **env_overrides}
    for name in ("SECRET_KEY", "TOKEN_ENCRYPTION_KEYS", "FIELD_ENCRYPTION_KEYS"):
        if env_overrides.get(name) is None:
            env.pop(name, None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        env={k: v for k, v in env.items() if v is not None},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )


def stack_status(**env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "stack_status"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DATABASE_URL": child_database_url(), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def queue_status(client) -> tuple[int, dict]:
    response = client.get("/health/queue")
    return response.status_code, response.json()
