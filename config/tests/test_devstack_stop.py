"""`make run`'s stop (config.devstack.stop): each child's process group goes
whole, so nothing of the web or the worker (the RQ scheduler is the worker's
own child process) is left to fail on Redis and PostgreSQL once they stop."""

import os
import sys
import time

from config import devstack

# Writes the pid of a grandchild that would outlive it, then exits on
# SIGTERM at once (as an RQ worker may while its scheduler process runs on).
PARENT = """
import signal, subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
open(sys.argv[1], "w").write(str(child.pid))
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
time.sleep(300)
"""
# Ignores SIGTERM: only the SIGKILL after the grace period ends it.
STUBBORN = """
import signal, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
open(sys.argv[1], "w").write("up")
time.sleep(300)
"""


def running(pid: int) -> bool:
    """Alive and not a zombie waiting for whoever adopted it to reap it."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def wait_for_file(path, seconds: float = 10) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists() and path.read_text():
            return path.read_text()
        time.sleep(0.05)
    raise AssertionError(f"{path} never written")


def gone_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while running(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not running(pid)


def test_a_childs_own_process_stops_with_it(tmp_path):
    note = tmp_path / "grandchild"
    parent = devstack.spawn(sys.executable, "-c", PARENT, str(note))
    grandchild = int(wait_for_file(note))

    devstack.stop([parent])

    assert parent.returncode == 0  # it stopped on SIGTERM, as asked
    assert gone_within(grandchild, 5), "the child's own process outlived the stop"


def test_a_child_that_ignores_sigterm_is_killed_after_the_grace(tmp_path, monkeypatch):
    monkeypatch.setattr(devstack, "GRACE_SECONDS", 0.5)
    note = tmp_path / "up"
    child = devstack.spawn(sys.executable, "-c", STUBBORN, str(note))
    wait_for_file(note)

    started = time.monotonic()
    devstack.stop([child])

    assert child.returncode == -9
    assert time.monotonic() - started < 5


def test_children_are_leaders_of_their_own_groups(tmp_path, monkeypatch):
    monkeypatch.setattr(devstack, "GRACE_SECONDS", 0.5)
    note = tmp_path / "up"
    child = devstack.spawn(sys.executable, "-c", STUBBORN, str(note))
    try:
        wait_for_file(note)
        assert os.getpgid(child.pid) == child.pid != os.getpgid(0)  # Ctrl-C reaches make run alone
    finally:
        devstack.stop([child])
