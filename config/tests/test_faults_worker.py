"""A reminder worker killed in the middle of an SMTP send: after a restart the
reminder goes out exactly once."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from django.conf import settings

from config.tests.live import child_database_url, rq_worker, wait_until

pytestmark = pytest.mark.django_db(transaction=True)

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
