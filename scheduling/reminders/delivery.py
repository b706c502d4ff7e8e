"""What the email jobs do: send one reminder exactly once, or one notice."""

import smtplib

from django.db import transaction
from django.utils import timezone

from scheduling import emails
from scheduling.models import INACTIVE_STATUSES, Appointment, Reminder, ReminderStatus

# A job may run a little before its row's time (clock skew between hosts); a job
# far earlier than that belongs to a reminder that was moved later since.
EARLY_TOLERANCE_SECONDS = 60
NO_EMAIL = "client has no email address"
APPOINTMENT_STARTED = "appointment had started"
APPOINTMENT_INACTIVE = "appointment no longer active"


class EmailNotSent(Exception):
    """An SMTP failure, described without its message: RQ logs and stores this one,
    and the original's text may quote the recipient's address."""


def deliver_reminder(*, reminder_id: int, final_attempt: bool = True) -> str:
    """Email the reminder if it is still pending, due and its appointment active, and
    mark it sent in the same transaction, under the row's lock: a second run or a
    second worker finds it sent. An SMTP error is counted on the row (`failed` on the
    final attempt) and raised, as EmailNotSent, for RQ to retry. Returns what happened."""
    error = None
    with transaction.atomic():
        reminder = (
            Reminder.objects.select_for_update(of=("self",))
            .select_related("appointment__client", "appointment__doctor")
            .filter(pk=reminder_id)
            .first()
        )
        if reminder is None:
            return "gone"
        now = timezone.now()
        outcome = _refusal(reminder, now)
        if outcome:
            return outcome
        reminder.attempts += 1
        try:
            emails.send_appointment_email(emails.REMINDER, reminder.appointment)
        except (smtplib.SMTPException, OSError) as exc:
            error = exc
            reminder.last_error = describe_error(exc)
            if final_attempt:
                reminder.status = ReminderStatus.FAILED
        else:
            reminder.status, reminder.sent_at, reminder.last_error = ReminderStatus.SENT, now, ""
        reminder.save(update_fields=["status", "sent_at", "attempts", "last_error", "updated_at"])
    if error is not None:
        raise EmailNotSent(describe_error(error)) from None
    return "sent"


def _refusal(reminder: Reminder, now) -> str | None:
    """Why this reminder must not be sent now (updating the row when that is final), or None."""
    appointment = reminder.appointment
    if reminder.status != ReminderStatus.PENDING:
        return f"already {reminder.status}"
    if (reminder.scheduled_for - now).total_seconds() > EARLY_TOLERANCE_SECONDS:
        return "not due"
    final = None
    if appointment.status in INACTIVE_STATUSES:
        final = ReminderStatus.CANCELLED, APPOINTMENT_INACTIVE
    elif appointment.starts_at <= now:
        final = ReminderStatus.SKIPPED, APPOINTMENT_STARTED
    elif not appointment.client.email:
        final = ReminderStatus.SKIPPED, NO_EMAIL
    if final is None:
        return None
    reminder.status, reminder.last_error = final
    reminder.save(update_fields=["status", "last_error", "updated_at"])
    return str(reminder.status)


def deliver_appointment_email(*, kind: str, appointment_id: int) -> str:
    """Send a confirmation or cancellation notice; nothing when the client has no
    email, or for a confirmation of an appointment already cancelled."""
    appointment = Appointment.objects.select_related("client", "doctor").filter(pk=appointment_id).first()
    if appointment is None or not appointment.client.email:
        return "skipped"
    if kind == emails.CONFIRMATION and appointment.status in INACTIVE_STATUSES:
        return "skipped"
    try:
        emails.send_appointment_email(kind, appointment)
    except (smtplib.SMTPException, OSError) as exc:
        raise EmailNotSent(describe_error(exc)) from None
    return "sent"


def describe_error(exc: Exception) -> str:
    """The exception's class and SMTP code: never its message, which may quote addresses."""
    code = getattr(exc, "smtp_code", None)
    return f"{type(exc).__name__} {code}" if code else type(exc).__name__
