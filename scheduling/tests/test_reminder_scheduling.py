"""Booking, rescheduling and cancelling change the reminder rows in the caller's
transaction and their RQ jobs once it commits."""

import logging
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from scheduling.models import Reminder
from scheduling.reminders import services as reminders
from scheduling.tests.factories import AppointmentFactory
from scheduling.tests.reminder_support import book, cancel, job_status, reschedule, scheduled_jobs

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _offsets(settings):
    settings.REMINDER_OFFSETS_MINUTES = [1440, 120]


def by_kind(appointment):
    return {r.kind: r for r in appointment.reminders.all()}


def test_booking_schedules_one_job_per_offset(world):
    appointment = book(starts_in=timedelta(days=3), client=world.client, doctor=world.doctor)
    rows = by_kind(appointment)
    assert set(rows) == {"1440m", "120m"}
    jobs = scheduled_jobs()
    for kind, minutes in (("1440m", 1440), ("120m", 120)):
        row = rows[kind]
        assert row.status == "pending"
        assert row.scheduled_for == appointment.starts_at - timedelta(minutes=minutes)
        assert int(jobs[row.job_id].timestamp()) == int(row.scheduled_for.timestamp())


def test_rolled_back_booking_leaves_no_rows_and_no_jobs(world):
    with pytest.raises(RuntimeError), transaction.atomic():
        appointment = AppointmentFactory(client=world.client, doctor=world.doctor)
        reminders.schedule_reminders(appointment)
        raise RuntimeError("the booking failed after scheduling")
    assert Reminder.objects.count() == 0
    assert scheduled_jobs() == {}


def test_reschedule_moves_rows_and_jobs(world):
    appointment = book(starts_in=timedelta(days=3), client=world.client, doctor=world.doctor)
    before = by_kind(appointment)

    reschedule(appointment, starts_in=timedelta(days=5))

    after = by_kind(appointment)
    jobs = scheduled_jobs()
    assert set(jobs) == {after["1440m"].job_id, after["120m"].job_id}
    for kind, minutes in (("1440m", 1440), ("120m", 120)):
        old, new = before[kind], after[kind]
        assert new.pk == old.pk and new.status == "pending"
        assert new.scheduled_for == appointment.starts_at - timedelta(minutes=minutes)
        assert new.job_id != old.job_id
        assert int(jobs[new.job_id].timestamp()) == int(new.scheduled_for.timestamp())
        assert job_status(old.job_id) == "canceled"


def test_reschedule_to_later_revives_a_skipped_reminder(world):
    appointment = book(starts_in=timedelta(hours=3), client=world.client, doctor=world.doctor)
    assert by_kind(appointment)["1440m"].status == "skipped"

    reschedule(appointment, starts_in=timedelta(days=2))

    day_before = by_kind(appointment)["1440m"]
    assert day_before.status == "pending" and day_before.last_error == ""
    assert day_before.job_id in scheduled_jobs()


def test_reschedule_to_sooner_skips_a_reminder_whose_time_has_passed(world):
    appointment = book(starts_in=timedelta(days=3), client=world.client, doctor=world.doctor)
    old_job = by_kind(appointment)["1440m"].job_id

    reschedule(appointment, starts_in=timedelta(hours=5))

    day_before = by_kind(appointment)["1440m"]
    assert (day_before.status, day_before.job_id) == ("skipped", "")
    assert job_status(old_job) == "canceled"
    assert set(scheduled_jobs()) == {by_kind(appointment)["120m"].job_id}


def test_reschedule_leaves_a_sent_reminder_alone(world):
    appointment = book(starts_in=timedelta(days=3), client=world.client, doctor=world.doctor)
    appointment.reminders.filter(offset_minutes=1440).update(status="sent", sent_at=timezone.now())
    sent_for = by_kind(appointment)["1440m"].scheduled_for
    reschedule(appointment, starts_in=timedelta(days=4))
    day_before = by_kind(appointment)["1440m"]
    assert (day_before.status, day_before.scheduled_for) == ("sent", sent_for)
    assert by_kind(appointment)["120m"].scheduled_for == appointment.starts_at - timedelta(minutes=120)


def test_cancel_cancels_rows_and_jobs(world):
    appointment = book(starts_in=timedelta(days=3), client=world.client, doctor=world.doctor)
    jobs = [r.job_id for r in appointment.reminders.all()]

    cancel(appointment)

    assert set(appointment.reminders.values_list("status", flat=True)) == {"cancelled"}
    assert scheduled_jobs() == {}
    assert [job_status(job_id) for job_id in jobs] == ["canceled", "canceled"]


def test_deleting_an_appointment_cancels_its_jobs(world):
    appointment = book(starts_in=timedelta(days=3), client=world.client, doctor=world.doctor)
    with transaction.atomic():
        reminders.cancel_reminders(appointment)
        appointment.delete()
    assert Reminder.objects.count() == 0
    assert scheduled_jobs() == {}


def test_redis_down_at_commit_keeps_the_booking_and_logs_no_phi(world, settings, caplog):
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:1/0"}}
    with caplog.at_level(logging.WARNING, logger="scheduling.reminders.services"):
        appointment = book(starts_in=timedelta(days=3), client=world.client, doctor=world.doctor)
    rows = list(appointment.reminders.all())
    assert [r.status for r in rows] == ["pending", "pending"] and all(r.job_id for r in rows)
    messages = [record.getMessage() for record in caplog.records]
    [lost] = [record for record in caplog.records if "left for reconcile" in record.getMessage()]
    assert lost.reminder_ids == [r.pk for r in rows]
    assert lost.email_jobs == [["send_confirmation_email", appointment.pk]]
    for phi in (world.client.first_name, world.client.last_name, world.client.email, appointment.reason):
        assert not any(phi in message for message in messages)
