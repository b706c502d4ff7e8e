"""A real RQ worker with its scheduler sends each reminder once, at its time."""

from datetime import timedelta
from email import message_from_string
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils.formats import time_format
from icalendar import Calendar
from rq.job import Job

from config.tests.concurrency import run_concurrently
from scheduling.reminders import services as reminders
from scheduling.reminders import tasks
from scheduling.tests.reminder_support import (
    book,
    cancel,
    job_status,
    make_due,
    run_worker,
    scheduled_jobs,
    wait_past,
)

pytestmark = pytest.mark.django_db(transaction=True)

# One reminder, due a few seconds after booking (room for a loaded machine):
# the worker really waits for its time.
STARTS_IN = timedelta(minutes=60, seconds=4)


@pytest.fixture
def due_soon(settings):
    settings.REMINDER_OFFSETS_MINUTES = [60]
    settings.CLINIC_NAME = "Harbour Clinic"
    settings.CLINIC_ADDRESS = "7 Quay Road, Port Town"
    settings.TIME_ZONE = "Europe/Paris"


def reminder_emails():
    return [m for m in mail.outbox if m.extra_headers.get("X-Clinic-Email") == "reminder"]


def test_due_reminder_is_emailed_once_and_marked_sent(world, due_soon):
    appointment = book(starts_in=STARTS_IN, client=world.client, doctor=world.doctor)
    reminder = appointment.reminders.get()
    assert reminder.status == "pending" and reminder.job_id in scheduled_jobs()

    run_worker()  # not due yet: the scheduler leaves it alone
    assert reminder_emails() == []
    wait_past(reminder.scheduled_for)
    run_worker()

    reminder.refresh_from_db()
    assert reminder.status == "sent" and reminder.sent_at is not None and reminder.attempts == 1
    assert reminder.sent_at >= reminder.scheduled_for
    assert job_status(reminder.job_id) == "finished"
    [email] = reminder_emails()
    assert email.to == [world.client.email]
    assert email.extra_headers["X-Clinic-Email"] == "reminder"
    local = appointment.starts_at.astimezone(ZoneInfo("Europe/Paris"))
    doctor = world.doctor.full_name
    when = time_format(local, "TIME_FORMAT")  # the client's language's clock (English: 2:30 p.m.)
    for text in ("Harbour Clinic", "7 Quay Road, Port Town", doctor, when, "Europe/Paris"):
        assert text in email.body
    [(html, mimetype)] = email.alternatives
    assert mimetype == "text/html" and "Harbour Clinic" in html and world.doctor.full_name in html
    [(filename, ics, ics_type)] = email.attachments
    assert filename == "appointment.ics" and ics_type.startswith("text/calendar")
    event = Calendar.from_ical(ics).walk("VEVENT")[0]
    assert event.decoded("dtstart") == appointment.starts_at.replace(microsecond=0)
    assert str(event["location"]) == "7 Quay Road, Port Town"
    # The whole message, as it leaves: one multipart with the header.
    parsed = message_from_string(email.message().as_string())
    assert parsed["X-Clinic-Email"] == "reminder"
    assert world.client.medical_history not in email.message().as_string()

    run_worker()  # nothing left to do
    assert len(reminder_emails()) == 1


def test_booking_sends_a_confirmation_and_cancelling_a_notice(world, due_soon):
    appointment = book(starts_in=timedelta(days=3), client=world.client, doctor=world.doctor)
    run_worker()
    assert [m.extra_headers["X-Clinic-Email"] for m in mail.outbox] == ["confirmation"]
    cancel(appointment)
    run_worker()
    kinds = [m.extra_headers["X-Clinic-Email"] for m in mail.outbox]
    assert kinds == ["confirmation", "cancellation"]
    cancellation = mail.outbox[1]
    assert "cancelled" in cancellation.body and cancellation.alternatives
    event = Calendar.from_ical(cancellation.attachments[0][1])
    assert str(event["method"]) == "CANCEL"
    assert str(event.walk("VEVENT")[0]["status"]) == "CANCELLED"
    assert appointment.reminders.get().status == "cancelled"


def test_running_the_job_twice_sends_one_email(world, due_soon):
    appointment = book(starts_in=STARTS_IN, client=world.client, doctor=world.doctor)
    reminder = appointment.reminders.get()
    wait_past(reminder.scheduled_for)
    run_worker()
    queue = reminders.get_queue()
    queue.enqueue_job(Job.fetch(reminder.job_id, connection=queue.connection))  # the very same job, again
    run_worker()
    assert tasks.send_reminder(reminder.pk) == "already sent"  # and once more by hand
    assert len(reminder_emails()) == 1
    reminder.refresh_from_db()
    assert reminder.status == "sent" and reminder.attempts == 1


def test_two_workers_at_once_send_one_email(world, due_soon):
    appointment = book(starts_in=timedelta(minutes=60, seconds=-30), client=world.client, doctor=world.doctor)
    reminder = appointment.reminders.get()
    assert reminder.status == "skipped"  # its time (30 s ago) had passed at booking
    reminder.status = "pending"
    reminder.save()
    outcomes = run_concurrently([lambda: tasks.send_reminder(reminder.pk)] * 4)

    assert sorted(outcomes) == ["already sent"] * 3 + ["sent"]
    assert len(reminder_emails()) == 1
    reminder.refresh_from_db()
    assert reminder.status == "sent" and reminder.attempts == 1


def test_reminder_whose_time_passed_at_booking_is_skipped(world, settings):
    settings.REMINDER_OFFSETS_MINUTES = [1440, 120]
    appointment = book(starts_in=timedelta(hours=3), client=world.client, doctor=world.doctor)
    day_before, two_hours = appointment.reminders.order_by("-offset_minutes")
    assert (day_before.kind, day_before.status, day_before.job_id) == ("1440m", "skipped", "")
    assert (two_hours.kind, two_hours.status) == ("120m", "pending")
    assert two_hours.scheduled_for == appointment.starts_at - timedelta(minutes=120)
    assert list(scheduled_jobs()) == [two_hours.job_id]
    assert int(scheduled_jobs()[two_hours.job_id].timestamp()) == int(two_hours.scheduled_for.timestamp())


def test_client_without_email_is_skipped_with_a_reason(world, due_soon):
    world.client.email = None
    world.client.save()
    appointment = book(starts_in=STARTS_IN, client=world.client, doctor=world.doctor)
    reminder = appointment.reminders.get()
    wait_past(reminder.scheduled_for)
    run_worker()
    reminder.refresh_from_db()
    assert (reminder.status, reminder.sent_at) == ("skipped", None)
    assert reminder.last_error == "client has no email address"
    assert mail.outbox == []


def test_reminder_of_an_appointment_no_longer_active_sends_nothing(world, due_soon):
    appointment = book(starts_in=STARTS_IN, client=world.client, doctor=world.doctor)
    reminder = appointment.reminders.get()
    appointment.status = "no_show"  # changed without cancel_reminders: the job still checks
    appointment.save()
    wait_past(reminder.scheduled_for)
    run_worker()
    reminder.refresh_from_db()
    assert reminder.status == "cancelled" and reminder_emails() == []


def test_smtp_failure_retries_with_backoff_then_fails(world, due_soon, settings, unused_port):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", unused_port, 2
    settings.REMINDER_RETRY_SECONDS = [10, 60, 300]
    appointment = book(starts_in=STARTS_IN, client=world.client, doctor=world.doctor)
    reminder = appointment.reminders.get()
    wait_past(reminder.scheduled_for)

    for attempt, backoff in enumerate([10, 60, 300], start=1):
        run_worker()
        reminder.refresh_from_db()
        assert (reminder.status, reminder.attempts) == ("pending", attempt)
        assert reminder.last_error == "ConnectionRefusedError"
        retry_at = scheduled_jobs()[reminder.job_id]
        assert backoff - 3 <= (retry_at - reminder.updated_at).total_seconds() <= backoff + 3
        make_due(reminder.job_id)

    run_worker()
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts, reminder.sent_at) == ("failed", 4, None)
    assert reminder.last_error == "ConnectionRefusedError"
    assert job_status(reminder.job_id) == "failed"
    assert reminder.job_id not in scheduled_jobs()
    # What RQ keeps and logs of the failure names the error, never the recipient.
    job = Job.fetch(reminder.job_id, connection=reminders.get_queue().connection)
    failure = job.latest_result().exc_string
    assert "EmailNotSent: ConnectionRefusedError" in failure and world.client.email not in failure


@pytest.fixture
def unused_port():
    """A local TCP port with nobody listening: connections to it are refused."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
