"""RQ jobs of the accounts app; enqueued by accounts/passwords.py."""

from rq import get_current_job

from accounts import passwords


def send_password_reset() -> None:
    """Look the address up and email each of its accounts a reset link (API.md, "Auth").

    The address rides in the job's meta, not its arguments: RQ logs a job's
    description and, when it fails, its arguments."""
    passwords.send_password_reset_emails(email=get_current_job().meta["email"])
