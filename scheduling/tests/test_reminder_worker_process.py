"""The worker as ops run it: `manage.py rqworker default --with-scheduler`, as
separate processes (burst mode), mailing through Django's file backend."""

import os
import subprocess
import sys
from datetime import timedelta
from email import message_from_bytes

import pytest
from django.conf import settings

from config.tests.live import child_database_url
from scheduling.reminders import services as reminders
from scheduling.tests.reminder_support import book, scheduled_jobs, wait_past

pytestmark = pytest.mark.django_db(transaction=True)


def start_worker(mail_dir) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": child_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "rqworker", "default", "--burst", "--with-scheduler"],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finish(worker: subprocess.Popen) -> None:
    output, _ = worker.communicate(timeout=120)
    assert worker.returncode == 0, output


def sent_messages(mail_dir):
    messages = [message_from_bytes(block) for path in mail_dir.iterdir() for block in _messages_in(path)]
    return [m for m in messages if m["X-Clinic-Email"] == "reminder"]


def _messages_in(path):
    # The file backend writes each message followed by a line of 79 dashes.
    return [part.strip() for part in path.read_bytes().split(b"-" * 79) if part.strip()]


def test_worker_process_sends_a_due_reminder_once(world, tmp_path):
    # Both processes use the default offsets, 1440 and 120 minutes: the 120 one is due in a second.
    appointment = book(starts_in=timedelta(minutes=120, seconds=1), client=world.client, doctor=world.doctor)
    reminder = appointment.reminders.get(offset_minutes=120)
    wait_past(reminder.scheduled_for)

    finish(start_worker(tmp_path))
    finish(start_worker(tmp_path))

    reminder.refresh_from_db()
    assert reminder.status == "sent" and reminder.attempts == 1
    [message] = sent_messages(tmp_path)
    assert message["To"] == world.client.email
    kinds = {part.get_content_type() for part in message.walk()}
    assert {"text/plain", "text/html", "text/calendar"} <= kinds
    # The worker (settings.RQ's ReminderWorker) started the periodic reconcile.
    assert [j for j in scheduled_jobs() if j.startswith(reminders.RECONCILE_JOB_PREFIX)]


def test_two_worker_processes_with_duplicate_jobs_send_one_email(world, tmp_path):
    appointment = book(starts_in=timedelta(minutes=120, seconds=1), client=world.client, doctor=world.doctor)
    reminder = appointment.reminders.get(offset_minutes=120)
    wait_past(reminder.scheduled_for)
    queue = reminders.get_queue()
    for _ in range(5):  # as if reconcile and "send now" had both added jobs for it
        queue.enqueue(reminders.SEND_REMINDER, reminder.pk)

    workers = [start_worker(tmp_path), start_worker(tmp_path)]
    for worker in workers:
        finish(worker)

    reminder.refresh_from_db()
    assert reminder.status == "sent" and reminder.attempts == 1
    assert len(sent_messages(tmp_path)) == 1
