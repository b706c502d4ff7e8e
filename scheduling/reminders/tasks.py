"""RQ jobs: each takes an id and calls a service (scheduling/reminders/delivery.py,
scheduling/reminders/services.py). Enqueued by scheduling/reminders/services.py."""

from rq import get_current_job

from scheduling import emails
from scheduling.reminders import services as reminders
from scheduling.reminders.delivery import deliver_appointment_email, deliver_reminder
from scheduling.waitlist import offers as waitlist_offers


def send_reminder(reminder_id: int) -> str:
    """Email one reminder; its RQ `Retry` retries SMTP failures, the last one marks it failed."""
    job = get_current_job()
    return deliver_reminder(reminder_id=reminder_id, final_attempt=job is None or not job.should_retry)


def send_confirmation_email(appointment_id: int) -> str:
    return deliver_appointment_email(kind=emails.CONFIRMATION, appointment_id=appointment_id)


def send_cancellation_email(appointment_id: int) -> str:
    return deliver_appointment_email(kind=emails.CANCELLATION, appointment_id=appointment_id)


def reconcile_periodically() -> dict[str, int]:
    """Schedule the next run first, so a failing reconcile does not end the chain."""
    reminders.start_reconcile_chain()
    counts = reminders.reconcile_reminders()
    waitlist_offers.reconcile_offers()  # the waitlist's offers, recovered the same way
    return counts
