"""PgBouncer in transaction mode in front of a PostgreSQL URL, from Debian's
`pgbouncer` binary, for `make test-pgbouncer`, the cluster tests and a cluster
on one machine. It listens on a loopback port and trusts local clients (it
is never exposed); every database name is passed through to the server.

`python -m config.pgbouncer -- <command>` runs a command with DATABASE_URL
pointing through a PgBouncer started for it (and DATABASE_POOLER=pgbouncer),
then stops it."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from config.redis_failover import free_port

BINARY = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
RUN_AS = "postgres"  # PgBouncer refuses to run as root: Debian's package makes this user


def _server(url: str) -> tuple[str, str, str]:
    """(host or socket directory, port, user) of a postgres:// URL."""
    parts = urlsplit(url)
    host = parse_qs(parts.query).get("host", [parts.hostname or "127.0.0.1"])[0]
    return host, str(parts.port or 5432), parts.username or "postgres"


def _config(directory: Path, url: str, port: int) -> Path:
    host, server_port, user = _server(url)
    (directory / "users.txt").write_text(f'"{user}" ""\n')
    ini = directory / "pgbouncer.ini"
    ini.write_text(
        "[databases]\n"
        f"* = host={host} port={server_port} user={user}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {directory / 'users.txt'}\n"
        "pool_mode = transaction\nmax_client_conn = 500\ndefault_pool_size = 40\n"
        "ignore_startup_parameters = extra_float_digits,options\n"
        f"logfile = {directory / 'pgbouncer.log'}\npidfile = {directory / 'pgbouncer.pid'}\n"
    )
    return ini


def _run_as(url: str) -> str:
    """Root may not run PgBouncer: the owner of the server's socket directory
    (the embedded server's user), else Debian's `postgres`."""
    host = _server(url)[0]
    return Path(host).owner() if host.startswith("/") else RUN_AS


def through(url: str, port: int) -> str:
    """`url` with its server replaced by the PgBouncer on `port`."""
    parts = urlsplit(url)
    user = parts.username or "postgres"
    auth = f"{user}:{parts.password}@" if parts.password else f"{user}@"
    return f"postgres://{auth}127.0.0.1:{port}{parts.path}"


@contextmanager
def pgbouncer(url: str):
    """A PgBouncer in transaction mode in front of `url`; yields the URL through it."""
    directory = Path(tempfile.mkdtemp(prefix="clinic-pgbouncer-"))
    port = free_port()
    ini = _config(directory, url, port)
    command = [BINARY, str(ini)]
    if os.geteuid() == 0:
        user = _run_as(url)
        for path in [directory, *directory.iterdir()]:
            shutil.chown(path, user=user)
        command = [BINARY, "-u", user, str(ini)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        _wait_for_port(port, process, directory)
        yield through(url, port)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(directory, ignore_errors=True)


def _wait_for_port(port: int, process: subprocess.Popen, directory: Path) -> None:
    import socket

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = directory / "pgbouncer.log"
            raise RuntimeError(f"pgbouncer exited: {log.read_text() if log.exists() else ''}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError("pgbouncer did not start")


def main(argv: list[str]) -> int:
    from config import embedded

    if argv[:1] == ["--"]:
        argv = argv[1:]
    servers = embedded.ensure_services()
    try:
        with pgbouncer(os.environ["DATABASE_URL"]) as url:
            direct = os.environ["DATABASE_URL"]  # for tests that need a session of their own
            env = {
                **os.environ,
                "DATABASE_URL": url,
                "DATABASE_POOLER": "pgbouncer",
                "DATABASE_DIRECT_URL": direct,
            }
            print(f"PgBouncer (transaction mode) in front of the database: {url}", flush=True)
            return subprocess.call(argv, env=env)
    finally:
        embedded.stop_started(servers)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
