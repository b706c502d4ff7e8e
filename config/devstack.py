"""`make run`: embedded services, migrations, demo data, then web + worker.

Ctrl-C (SIGINT), SIGTERM or SIGHUP stops every process this started, the
embedded PostgreSQL and Redis included when this run started them.
"""

import contextlib
import errno
import os
import signal
import socket
import subprocess
import sys
import time

from config import embedded

GRACE_SECONDS = 15


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], check=True)


def spawn(*args: str) -> subprocess.Popen:
    """A child in a process group of its own: Ctrl-C reaches this script
    alone, which then stops each child's group whole (the RQ worker's
    scheduler process included) before it stops the embedded servers."""
    return subprocess.Popen(list(args), start_new_session=True)


def stop(children: list[subprocess.Popen]) -> None:
    """SIGTERM to each child's group; after GRACE_SECONDS (or once the child
    has exited) SIGKILL to whatever is left of it, so no process of theirs
    outlives Redis and PostgreSQL to fail on them."""
    for child in children:
        _signal_group(child, signal.SIGTERM)
    deadline = time.monotonic() + GRACE_SECONDS
    for child in children:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        _signal_group(child, signal.SIGKILL)
        child.wait()


def _signal_group(child: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.pid, signum)


def serve(port: str) -> int:
    """Run gunicorn and the RQ worker until one exits or a signal arrives."""
    children = [
        spawn(sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi"),
        spawn(sys.executable, "manage.py", "rqworker", "default", "--with-scheduler"),
    ]
    print(f"\n  Clinic is up: http://127.0.0.1:{port}/  (API docs /api/docs/, admin /admin/)\n", flush=True)
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        print("a process exited; stopping the rest", flush=True)
        return 1
    finally:
        stop(children)


def port_taken(port: str) -> bool:
    """Whether gunicorn would find 127.0.0.1:port in use (it binds with SO_REUSEADDR too)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", int(port)))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return True
            raise
    return False


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


def main() -> int:
    # Also when started in the background with SIGINT ignored; SIGHUP: the
    # terminal closed (the children, in groups of their own, do not get it).
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _raise_interrupt)
    port = os.environ.setdefault("PORT", "8000")
    if port_taken(port):  # before anything starts: gunicorn's own complaint comes late, among log lines
        print(
            f"make run: port {port} is already in use; choose another, e.g. PORT={int(port) + 1} make run",
            file=sys.stderr,
        )
        return 1
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    servers = []
    try:
        servers = embedded.ensure_services()
        for server in servers:
            print(f"embedded {'started' if server.started else 'reused'}: {server.url}", flush=True)
        manage("migrate", "--noinput")
        manage("seed_demo", "--if-empty")
        return serve(os.environ["PORT"])
    except KeyboardInterrupt:
        print("\nstopping…", flush=True)
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        embedded.stop_started(servers)


if __name__ == "__main__":
    sys.exit(main())
