"""RQ jobs of the accounts app; enqueued by accounts/services.py."""

from rq import get_current_job

from accounts import services


def send_password_reset() -> None:
    """Look the address up and email each of its accounts a reset link (API.md, "Auth").

    The address rides in the job's meta, not its arguments: RQ logs a job's
    description and, when it fails, its arguments."""
    services.send_password_reset_emails(email=get_current_job().meta["email"])
