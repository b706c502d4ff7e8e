"""Nothing lost: after Redis forgets every job, reconcile gives each pending
reminder a new one, and each is delivered exactly once."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from scheduling.models import Appointment, Reminder
from scheduling.reminders import services as reminders
from scheduling.reminders import tasks
from scheduling.services import cancel_appointment
from scheduling.tests.factories import AppointmentFactory, next_slot
from scheduling.tests.reminder_support import book, job_status, run_worker, scheduled_jobs, wait_past
from scheduling.waitlist.models import WaitlistEntry, WaitlistOffer

pytestmark = pytest.mark.django_db(transaction=True)


def reminder_emails():
    return [m for m in mail.outbox if m.extra_headers.get("X-Clinic-Email") == "reminder"]


def flushall():
    reminders.get_queue().connection.flushall()


def test_after_flushall_reconcile_delivers_each_reminder_exactly_once(world, settings):
    settings.REMINDER_OFFSETS_MINUTES = [60]
    due_soon = timedelta(minutes=60, seconds=4)  # not yet due when reconcile runs, even on a loaded machine
    soon = [
        book(starts_in=due_soon, client=world.client, doctor=world.doctor),
        book(starts_in=due_soon, client=world.other_client, doctor=world.other_doctor),
    ]
    later = book(starts_in=timedelta(days=2), client=world.client, doctor=world.doctor)
    flushall()
    assert scheduled_jobs() == {}

    counts = reminders.reconcile_reminders()

    assert counts == {"checked": 3, "requeued": 3, "sent_now": 0, "missed": 0}
    rows = {r.appointment_id: r for r in Reminder.objects.all()}
    assert set(scheduled_jobs()) == {r.job_id for r in rows.values()}
    assert reminders.reconcile_reminders()["requeued"] == 0  # their jobs are live now
    wait_past(rows[soon[0].pk].scheduled_for)
    run_worker()
    run_worker()

    sent = [m.to[0] for m in reminder_emails()]
    assert sorted(sent) == sorted([world.client.email, world.other_client.email])
    statuses = {r.appointment_id: r.status for r in Reminder.objects.all()}
    assert statuses == {soon[0].pk: "sent", soon[1].pk: "sent", later.pk: "pending"}
    assert Reminder.objects.get(appointment=later).job_id in scheduled_jobs()


def test_reconcile_sends_the_recently_overdue_and_fails_the_missed(world, settings):
    settings.REMINDER_GRACE_MINUTES = 60
    settings.REMINDER_OFFSETS_MINUTES = [120]
    recent = book(starts_in=timedelta(hours=5), client=world.client, doctor=world.doctor)
    old = book(starts_in=timedelta(hours=5), client=world.other_client, doctor=world.other_doctor)
    flushall()  # Redis lost the jobs while they were due: one 10 minutes ago, one 3 hours ago
    now = timezone.now()
    Reminder.objects.filter(appointment=recent).update(scheduled_for=now - timedelta(minutes=10))
    Reminder.objects.filter(appointment=old).update(scheduled_for=now - timedelta(hours=3))

    assert reminders.reconcile_reminders() == {"checked": 2, "requeued": 0, "sent_now": 1, "missed": 1}
    run_worker()

    recent_row, old_row = recent.reminders.get(), old.reminders.get()
    assert (recent_row.status, recent_row.attempts) == ("sent", 1)
    assert (old_row.status, old_row.last_error, old_row.attempts) == ("failed", "missed", 0)
    assert [m.to for m in reminder_emails()] == [[world.client.email]]


def test_reconcile_requeues_a_reminder_whose_job_finished_without_sending(world, settings):
    """A job that ran and found its row not due (moved while Redis was away) leaves it pending."""
    settings.REMINDER_OFFSETS_MINUTES = [60]
    appointment = book(starts_in=timedelta(days=1), client=world.client, doctor=world.doctor)
    reminder = appointment.reminders.get()
    assert tasks.send_reminder(reminder.pk) == "not due"
    reminders.get_queue().connection.delete(f"rq:job:{reminder.job_id}")
    assert reminders.reconcile_reminders()["requeued"] == 1
    assert appointment.reminders.get().job_id in scheduled_jobs()


def test_command_reconciles_and_starts_the_periodic_chain(world, settings, capsys):
    settings.REMINDER_OFFSETS_MINUTES = [60]
    book(starts_in=timedelta(days=1), client=world.client, doctor=world.doctor)
    flushall()

    call_command("reconcile_reminders")

    assert capsys.readouterr().out.strip() == (
        "reminders: checked=1 requeued=1 sent_now=0 missed=0  offers: expired=0 sent_again=0"
    )
    chain = [job_id for job_id in scheduled_jobs() if job_id.startswith(reminders.RECONCILE_JOB_PREFIX)]
    assert len(chain) == 1


def test_command_sends_a_lost_offer_once_and_expires_an_overdue_one(world, capsys):
    """The waitlist's offers, as the periodic reconcile recovers them: Redis lost both
    offers' jobs; the pending one is emailed (once), the overdue one expires."""
    today, later = timezone.localdate(), timezone.localdate() + timedelta(days=30)
    for client in (world.client, world.other_client):
        WaitlistEntry.objects.create(client=client, earliest_date=today, latest_date=later)
    for days in (3, 4):
        visit = AppointmentFactory(doctor=world.doctor, starts_at=next_slot(days=days))
        cancel_appointment(appointment=visit, by=world.staff)
    pending, overdue = WaitlistOffer.objects.order_by("starts_at")
    WaitlistOffer.objects.filter(pk=overdue.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    flushall()

    call_command("reconcile_reminders")

    assert capsys.readouterr().out.strip().endswith("offers: expired=1 sent_again=1")
    overdue = WaitlistOffer.objects.get(pk=overdue.pk)
    assert (overdue.status, overdue.entry.status, overdue.hold_id) == ("expired", "expired", None)
    assert not Appointment.objects.filter(status="held", starts_at=overdue.starts_at).exists()
    run_worker()
    offer_emails = [m for m in mail.outbox if m.extra_headers.get("X-Clinic-Email") == "waitlist_offer"]
    assert [m.to for m in offer_emails] == [[pending.entry.client.email]]
    assert WaitlistOffer.objects.get(pk=pending.pk).sent_at is not None


def test_periodic_reconcile_keeps_one_chain_and_schedules_its_next_run(world, settings):
    settings.REMINDER_RECONCILE_MINUTES = 5
    assert reminders.start_reconcile_chain() is True
    assert reminders.start_reconcile_chain() is False  # a second worker finds it there
    [job_id] = scheduled_jobs()
    first_run = scheduled_jobs()[job_id]
    assert first_run.timestamp() % 300 == 0 and 0 < (first_run - timezone.now()).total_seconds() <= 300
    settings.REMINDER_RECONCILE_MINUTES = 1440  # a daily slot keeps the rest of the test off a boundary
    flushall()
    assert reminders.start_reconcile_chain() is True
    [job_id] = scheduled_jobs()

    # The job, as the worker runs it: it reconciles and keeps the chain to the next slot.
    settings.REMINDER_OFFSETS_MINUTES = [60]
    book(starts_in=timedelta(days=1), client=world.client, doctor=world.doctor)
    flushall()
    queue = reminders.get_queue()
    queue.enqueue(reminders.RECONCILE)
    run_worker()

    reminder = Reminder.objects.get()
    chain = [j for j in scheduled_jobs() if j.startswith(reminders.RECONCILE_JOB_PREFIX)]
    assert chain == [job_id] and reminder.job_id in scheduled_jobs()
    assert job_status(reminder.job_id) == "scheduled"


def test_the_worker_starts_the_periodic_chain(settings):
    from scheduling.reminders.worker import ReminderWorker

    queue = reminders.get_queue()
    ReminderWorker([queue], connection=queue.connection).run_maintenance_tasks()
    assert [j for j in scheduled_jobs() if j.startswith(reminders.RECONCILE_JOB_PREFIX)]
