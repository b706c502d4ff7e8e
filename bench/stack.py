"""The system under test: a seeded bench database and gunicorn as in production."""

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
import redis

from config import embedded

ROOT = Path(__file__).resolve().parent.parent


def with_db_name(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def with_redis_db(url: str, db: int) -> str:
    parts = urlsplit(url)
    if parts.scheme == "unix":  # urlunsplit would drop the empty host of unix:///path
        query = dict(parse_qsl(parts.query), db=str(db))
        return f"unix://{parts.path}?{urlencode(query)}"
    return urlunsplit(parts._replace(path=f"/{db}"))


def ensure_database(url: str) -> None:
    params = psycopg.conninfo.conninfo_to_dict(url)
    name = params.pop("dbname")
    with psycopg.connect(**params, dbname="postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def appointment_count(url: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT count(*) FROM scheduling_appointment").fetchone()[0]


BENCH_REASON = "Bench visit"  # the reason of the booking scenario's visits


def reset(env: dict) -> None:
    """Back to the seeded state: earlier runs' bench bookings and the bench Redis database go.
    Those were booked through the API, so they have an author; the seed copies its visits
    in without one. (The reason is encrypted at rest: no filter.)"""
    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
        conn.execute(
            "DELETE FROM scheduling_reminder WHERE appointment_id IN "
            "(SELECT id FROM scheduling_appointment WHERE created_by_id IS NOT NULL)"
        )
        conn.execute("DELETE FROM scheduling_appointment WHERE created_by_id IS NOT NULL")
    redis.Redis.from_url(env["REDIS_URL"]).flushdb()


def manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def prepare(scale: int) -> tuple[dict, list]:
    """Environment for a bench database seeded with `scale` appointments."""
    servers = embedded.ensure_services()
    env = {
        **os.environ,
        "DATABASE_URL": with_db_name(os.environ["DATABASE_URL"], f"bench_{scale}"),
        "REDIS_URL": with_redis_db(os.environ["REDIS_URL"], int(os.environ.get("BENCH_REDIS_DB", "1"))),
        "DJANGO_ENV": "development",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "SERVER_TIMING": "true",
        "TIME_ZONE": "UTC",
        "LOGIN_RATE": "1000/m",
        "LOGIN_IP_RATE": "1000/m",
    }
    ensure_database(env["DATABASE_URL"])
    manage(env, "migrate", "--noinput", "-v0")
    if appointment_count(env["DATABASE_URL"]) < scale:
        print(f"seeding {scale} appointments (once per scale; reused after)…", flush=True)
        clients = max(1000, scale // 10)
        manage(env, "seed_demo", "--doctors", "50", "--clients", str(clients), "--appointments", str(scale))
    reset(env)
    return env, servers


def request(base: str, method: str, path: str, token: str | None = None, body: dict | None = None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(req, timeout=30) as response:  # noqa: S310 (loopback only)
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@contextmanager
def gunicorn(env: dict, port: int, *, conf: str = "config/gunicorn.py", app: str = "config.wsgi"):
    """gunicorn with config/gunicorn.py (the production worker model) serving
    `app`; yields its base URL."""
    metrics_dir = tempfile.mkdtemp(prefix="bench-metrics-")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", conf, app],
        cwd=ROOT,
        env={**env, "PORT": str(port), "PROMETHEUS_MULTIPROC_DIR": metrics_dir},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if request(base, "GET", "/health/live")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not start")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def floor(env: dict, port: int):
    """The bare Django floor (bench/floor.py) under the same gunicorn settings."""
    bare = {k: v for k, v in env.items() if k != "DJANGO_SETTINGS_MODULE"}
    return gunicorn(bare, port, conf="bench/floor_gunicorn.py", app="bench.floor:application")
