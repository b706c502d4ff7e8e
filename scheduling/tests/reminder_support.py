"""Shared by the reminder tests: booking through the reminders interface the way
the scheduling services do, and running a real RQ worker with its scheduler."""

import time
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from rq import SimpleWorker
from rq.job import Job

from scheduling.models import Appointment
from scheduling.reminders import services as reminders
from scheduling.tests.factories import AppointmentFactory


def book(*, starts_in: timedelta, **fields) -> Appointment:
    """Book as a service would: the appointment and its reminders in one transaction."""
    with transaction.atomic():
        appointment = AppointmentFactory(starts_at=timezone.now() + starts_in, **fields)
        reminders.schedule_reminders(appointment, confirm=True)
    return appointment


def reschedule(appointment: Appointment, *, starts_in: timedelta) -> Appointment:
    with transaction.atomic():
        appointment.starts_at = timezone.now() + starts_in
        appointment.save()
        reminders.move_reminders(appointment)
    return appointment


def cancel(appointment: Appointment) -> Appointment:
    with transaction.atomic():
        appointment.status = "cancelled"
        appointment.save()
        reminders.cancel_reminders(appointment)
        reminders.send_cancellation(appointment)
    return appointment


def run_worker() -> None:
    """One burst of a real RQ worker with its scheduler: due scheduled jobs are moved
    to the queue, then every queued job runs, in this process."""
    queue = reminders.get_queue()
    SimpleWorker([queue], connection=queue.connection).work(burst=True, with_scheduler=True)


def wait_past(moment: datetime) -> None:
    """Let the clock pass `moment` (RQ's scheduler works in whole seconds)."""
    delay = (moment - timezone.now()).total_seconds() + 1.05
    if delay > 0:
        time.sleep(delay)


def scheduled_jobs() -> dict[str, datetime]:
    """RQ's scheduled registry: job id → when it will be enqueued."""
    registry = reminders.get_queue().scheduled_job_registry
    return {job_id: registry.get_scheduled_time(job_id) for job_id in registry.get_job_ids()}


def job_status(job_id: str) -> str | None:
    connection = reminders.get_queue().connection
    if not Job.exists(job_id, connection):
        return None
    return Job.fetch(job_id, connection=connection).get_status()


def make_due(job_id: str) -> None:
    """Bring a retry's backoff to an end now instead of waiting for it."""
    queue = reminders.get_queue()
    queue.scheduled_job_registry.schedule(Job.fetch(job_id, connection=queue.connection), timezone.now())
