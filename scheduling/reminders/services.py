"""Appointment reminders: the rows (the source of truth) and their RQ jobs.

The scheduling services call `schedule_reminders`, `move_reminders`,
`cancel_reminders` and `send_cancellation` inside their
own `transaction.atomic()`; rows change in that transaction, RQ is touched in
`transaction.on_commit`. Redis being down then costs no booking: the row stays
pending with a job id RQ does not know, and `reconcile_reminders` (run by the
worker every few minutes and by `manage.py reconcile_reminders`) enqueues it.
The job (`scheduling.reminders.tasks.send_reminder`) locks the row, so however many
jobs exist for one reminder, one email goes out."""

import logging
import time
import uuid
from collections import Counter
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from itertools import islice

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from redis.exceptions import RedisError
from rq import Queue, Retry
from rq.exceptions import DuplicateJobError, InvalidJobOperation, NoSuchJobError
from rq.job import Job, JobStatus

from config import queues
from scheduling.models import Appointment, Reminder, ReminderStatus

logger = logging.getLogger(__name__)

QUEUE_NAME = "default"
SEND_REMINDER = "scheduling.reminders.tasks.send_reminder"
SEND_CONFIRMATION = "scheduling.reminders.tasks.send_confirmation_email"
SEND_CANCELLATION = "scheduling.reminders.tasks.send_cancellation_email"
RECONCILE = "scheduling.reminders.tasks.reconcile_periodically"
RECONCILE_JOB_PREFIX = "reminders-reconcile-"
# A job that is waiting or running: its reminder needs no new one.
LIVE_JOB_STATUSES = {JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.STARTED, JobStatus.DEFERRED}
PASSED_AT_BOOKING = "time had passed when booked"


def get_queue() -> Queue:
    return queues.get_queue(QUEUE_NAME)


def new_job_id() -> str:
    return f"reminder-{uuid.uuid4().hex}"


def email_retry() -> Retry:
    """RQ retries a failed send after each of REMINDER_RETRY_SECONDS, then gives up."""
    delays = settings.REMINDER_RETRY_SECONDS
    return Retry(max=len(delays), interval=delays)


def reminder_time(appointment: Appointment, offset_minutes: int) -> datetime:
    return appointment.starts_at - timedelta(minutes=offset_minutes)


def schedule_reminders(appointment: Appointment, *, confirm: bool = False) -> list[Reminder]:
    """Create one reminder per REMINDER_OFFSETS_MINUTES entry (`skipped` if its time
    has passed) and schedule the pending ones' jobs on commit, with the booking
    confirmation email when `confirm` (all in one Redis round trip). Call inside
    the booking's transaction."""
    now = timezone.now()
    rows = []
    for offset in sorted(set(settings.REMINDER_OFFSETS_MINUTES), reverse=True):
        reminder = Reminder(appointment=appointment, offset_minutes=offset)
        _set_time(reminder, reminder_time(appointment, offset), now)
        rows.append(reminder)
    Reminder.objects.bulk_create(rows)
    emails = [(SEND_CONFIRMATION, appointment.pk)] if confirm else []
    _enqueue_on_commit([r for r in rows if r.status == ReminderStatus.PENDING], emails)
    return rows


def move_reminders(appointment: Appointment) -> list[Reminder]:
    """After a reschedule: pending and skipped reminders take their new times, old
    jobs are cancelled and new ones scheduled on commit; sent or failed ones stay."""
    now = timezone.now()
    rows = {r.offset_minutes: r for r in appointment.reminders.select_for_update()}
    old_job_ids, moved = [], []
    for offset in settings.REMINDER_OFFSETS_MINUTES:
        rows.setdefault(offset, Reminder(appointment=appointment, offset_minutes=offset))
    for reminder in rows.values():
        if reminder.status not in (ReminderStatus.PENDING, ReminderStatus.SKIPPED):
            continue
        if reminder.status == ReminderStatus.PENDING and reminder.job_id:
            old_job_ids.append(reminder.job_id)
        _set_time(reminder, reminder_time(appointment, reminder.offset_minutes), now)
        reminder.save()
        moved.append(reminder)
    transaction.on_commit(lambda: cancel_jobs(old_job_ids))
    _enqueue_on_commit([r for r in moved if r.status == ReminderStatus.PENDING])
    return sorted(rows.values(), key=lambda r: r.scheduled_for)


def cancel_reminders(appointment: Appointment) -> int:
    """Cancel the pending reminders (appointment cancelled, no-show or deleted) and,
    on commit, their jobs. Returns how many were cancelled."""
    pending = list(appointment.reminders.select_for_update().filter(status=ReminderStatus.PENDING))
    job_ids = [r.job_id for r in pending if r.job_id]
    Reminder.objects.filter(pk__in=[r.pk for r in pending]).update(
        status=ReminderStatus.CANCELLED, job_id="", updated_at=timezone.now()
    )
    transaction.on_commit(lambda: cancel_jobs(job_ids))
    return len(pending)


def send_cancellation(appointment: Appointment) -> None:
    """Email the cancellation notice from a worker, once this transaction commits."""
    appointment_id = appointment.pk
    transaction.on_commit(lambda: _enqueue_email(SEND_CANCELLATION, appointment_id))


def send_now(reminder: Reminder) -> bool:
    """Ops' "send now": a pending, failed or skipped reminder is made due now and
    its job enqueued at once (or by reconcile, if Redis is away). False when it
    was already sent or cancelled."""
    now = timezone.now()
    resendable = (ReminderStatus.PENDING, ReminderStatus.FAILED, ReminderStatus.SKIPPED)
    with transaction.atomic():
        reminder = Reminder.objects.select_for_update().filter(pk=reminder.pk, status__in=resendable).first()
        if reminder is None:
            return False
        old_job_ids = [reminder.job_id] if reminder.job_id else []
        reminder.status, reminder.scheduled_for, reminder.job_id, reminder.last_error = (
            ReminderStatus.PENDING,
            now,
            new_job_id(),
            "",
        )
        reminder.save(update_fields=["status", "scheduled_for", "job_id", "last_error", "updated_at"])
        transaction.on_commit(lambda: cancel_jobs(old_job_ids))
        _enqueue_on_commit([reminder])
    return True


def reconcile_reminders(*, now: datetime | None = None) -> dict[str, int]:
    """Give every pending reminder whose job RQ no longer has a new one: at its time
    if still ahead, now if less than REMINDER_GRACE_MINUTES late; older ones become
    `failed` ("missed"). Returns counts: checked, requeued, sent_now, missed."""
    now = now or timezone.now()
    missed_before = now - timedelta(minutes=settings.REMINDER_GRACE_MINUTES)
    queue = get_queue()
    counts = Counter(checked=0, requeued=0, sent_now=0, missed=0)
    pending = Reminder.objects.filter(status=ReminderStatus.PENDING)
    rows = pending.values_list("pk", "job_id", "scheduled_for").iterator(chunk_size=500)
    while chunk := list(islice(rows, 500)):
        live = live_job_ids([job_id for _, job_id, _ in chunk if job_id], queue)
        with queue.connection.pipeline() as pipe:
            for pk, job_id, scheduled_for in chunk:
                counts["checked"] += 1
                if job_id in live:
                    continue
                # Claim the row against its old job id: a concurrent move or send wins.
                still_orphan = Reminder.objects.filter(pk=pk, status=ReminderStatus.PENDING, job_id=job_id)
                if scheduled_for < missed_before:
                    counts["missed"] += still_orphan.update(
                        status=ReminderStatus.FAILED, last_error="missed", updated_at=now
                    )
                    continue
                fresh_id = new_job_id()
                if not still_orphan.update(job_id=fresh_id):
                    continue
                if scheduled_for > now:
                    queue.enqueue_at(
                        scheduled_for, SEND_REMINDER, pk, job_id=fresh_id, retry=email_retry(), pipeline=pipe
                    )
                    counts["requeued"] += 1
                else:
                    queue.enqueue_call(
                        SEND_REMINDER, args=(pk,), job_id=fresh_id, retry=email_retry(), pipeline=pipe
                    )
                    counts["sent_now"] += 1
            pipe.execute()
    return dict(counts)


def live_job_ids(job_ids: list[str], queue: Queue) -> set[str]:
    """Those of `job_ids` that RQ still holds as waiting or running."""
    with queue.connection.pipeline(transaction=False) as pipe:
        for job_id in job_ids:
            pipe.hget(Job.key_for(job_id), "status")
        statuses = pipe.execute()
    return {
        job_id
        for job_id, status in zip(job_ids, statuses, strict=True)
        if status is not None and status.decode() in LIVE_JOB_STATUSES
    }


def start_reconcile_chain(queue: Queue | None = None) -> bool:
    """Schedule the next periodic reconcile at the next REMINDER_RECONCILE_MINUTES
    boundary, under an id naming that boundary: however many workers ask, one
    chain exists. True if this call scheduled it."""
    queue = queue or get_queue()
    period = settings.REMINDER_RECONCILE_MINUTES * 60
    slot = int(time.time() // period) + 1
    try:
        queue.enqueue_at(
            datetime.fromtimestamp(slot * period, tz=UTC),
            RECONCILE,
            job_id=f"{RECONCILE_JOB_PREFIX}{slot}",
            unique=True,
            result_ttl=period,
        )
    except DuplicateJobError:
        return False
    return True


def reconcile_now(*, reason: str, queue: Queue | None = None) -> bool:
    """A reconcile as soon as a worker is free, once per `reason` (the new
    Redis server's run id, say) however many ask. True if this call enqueued it."""
    queue = queue or get_queue()
    try:
        queue.enqueue(RECONCILE, job_id=f"{RECONCILE_JOB_PREFIX}{reason}", unique=True, result_ttl=3600)
    except DuplicateJobError:
        return False
    return True


def cancel_jobs(job_ids: list[str]) -> None:
    """Cancel these jobs in RQ; gone or already cancelled ones are fine, and a Redis
    outage only leaves jobs that will find their row no longer due."""
    if not job_ids:
        return
    try:
        connection = get_queue().connection
        for job_id in job_ids:
            with suppress(NoSuchJobError, InvalidJobOperation):
                Job.fetch(job_id, connection=connection).cancel()
    except RedisError as exc:
        logger.warning("reminder jobs not cancelled: redis unreachable (%s)", type(exc).__name__)


def _set_time(reminder: Reminder, scheduled_for: datetime, now: datetime) -> None:
    reminder.scheduled_for = scheduled_for
    if scheduled_for > now:
        reminder.status, reminder.job_id, reminder.last_error = ReminderStatus.PENDING, new_job_id(), ""
    else:
        reminder.status, reminder.job_id, reminder.last_error = ReminderStatus.SKIPPED, "", PASSED_AT_BOOKING


def _enqueue_on_commit(reminders: list[Reminder], emails: list[tuple[str, int]] = ()) -> None:
    jobs = [(r.pk, r.job_id, r.scheduled_for) for r in reminders]
    if jobs or emails:
        transaction.on_commit(lambda: _enqueue_jobs(jobs, emails))


def _enqueue_jobs(jobs: list[tuple[int, str, datetime]], emails: list[tuple[str, int]]) -> None:
    """Reminder jobs at their times and email jobs now, in one pipeline."""
    try:
        queue = get_queue()
        with queue.connection.pipeline() as pipe:
            pipe.multi()  # one MULTI/EXEC: RQ's enqueue_call asks for it before its first command
            for pk, job_id, scheduled_for in jobs:
                queue.enqueue_at(
                    scheduled_for, SEND_REMINDER, pk, job_id=job_id, retry=email_retry(), pipeline=pipe
                )
            for func, appointment_id in emails:
                queue.enqueue_call(func, args=(appointment_id,), retry=email_retry(), pipeline=pipe)
            pipe.execute()
    except RedisError as exc:
        # The rows stay pending under a job id RQ lacks: reconcile enqueues them.
        # An email job has no row: it is lost, and the log says which.
        logger.warning(
            "reminder jobs not enqueued, left for reconcile; appointment emails not enqueued: "
            "redis unreachable (%s)",
            type(exc).__name__,
            extra={
                "reminder_ids": [pk for pk, _, _ in jobs],
                "email_jobs": [[func.rsplit(".", 1)[-1], appointment_id] for func, appointment_id in emails],
            },
        )


def _enqueue_email(func: str, appointment_id: int) -> None:
    try:
        get_queue().enqueue(func, appointment_id, retry=email_retry())
    except RedisError as exc:
        logger.warning(
            "appointment email not enqueued: redis unreachable (%s)",
            type(exc).__name__,
            extra={"appointment_id": appointment_id, "email_job": func.rsplit(".", 1)[-1]},
        )
