"""Passwords: the validators, change (signed in) and reset (by an emailed
link, queued as an RQ job so a known and an unknown address cost the same).
Each change revokes every earlier token (the password is part of the token's
check) and is audited without the password."""

import logging
import smtplib

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _
from redis.exceptions import RedisError

from accounts.audit import record_event
from accounts.exceptions import InvalidResetToken
from accounts.models import AuditAction, User
from config import queues

PASSWORD_RESET_EMAIL_KIND = "password_reset"  # noqa: S105 (an email kind, not a secret)
PASSWORD_RESET_JOB = "accounts.tasks.send_password_reset"  # noqa: S105 (a job path, not a secret)

logger = logging.getLogger(__name__)


def validate_password_for(password: str, user: User, *, field: str) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc


@transaction.atomic
def change_password(*, user: User, old_password: str, new_password: str, request=None) -> User:
    """Set a new password after checking the old one; revokes every earlier token."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.check_password(old_password):
        raise ValidationError({"old_password": [_("The current password is not correct.")]})
    validate_password_for(new_password, user, field="new_password")
    user.set_password(new_password)
    user.save()
    record_event(action=AuditAction.UPDATE, actor=user, obj=user, request=request, fields=["password"])
    return user


def request_password_reset(*, email: str) -> None:
    """Queue the reset email for this address; the job looks the account up, so
    a known and an unknown address cost the request the same."""
    transaction.on_commit(lambda: _enqueue_password_reset(email))


def _enqueue_password_reset(email: str) -> None:
    try:
        queues.get_queue().enqueue(PASSWORD_RESET_JOB, meta={"email": email})
    except RedisError as exc:  # logged without the address
        logger.warning("password reset email not enqueued: redis unreachable (%s)", type(exc).__name__)


def send_password_reset_emails(*, email: str) -> None:
    """Email a reset link to each active account with this email (the RQ job); silent otherwise."""
    users = User.objects.filter(email__iexact=(email or "").strip(), is_active=True)
    for user in users:
        if user.has_usable_password():
            _send_password_reset_email_or_log(user)


def _send_password_reset_email_or_log(user: User) -> None:
    # The answer is 202 whatever happens; a mail server that fails is logged
    # by user id only (SMTP errors may quote the address).
    try:
        send_password_reset_email(user=user)
    except (smtplib.SMTPException, OSError) as exc:
        logger.warning(
            "password reset email not sent", extra={"user_id": user.pk, "error": type(exc).__name__}
        )


def send_password_reset_email(*, user: User) -> None:
    """The reset link, emailed in the user's language."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    with translation.override(user.language):
        context = {
            "user": user,
            "language": translation.get_language(),
            "reset_url": f"{settings.FRONTEND_URL.rstrip('/')}/reset-password?uid={uid}&token={token}",
        }
        message = EmailMultiAlternatives(
            subject=str(_("Reset your clinic password")),
            body=render_to_string("emails/password_reset.txt", context),
            to=[user.email],
            headers={"X-Clinic-Email": PASSWORD_RESET_EMAIL_KIND},
        )
        message.attach_alternative(render_to_string("emails/password_reset.html", context), "text/html")
    message.send()


@transaction.atomic
def reset_password(*, uid: str, token: str, new_password: str, request=None) -> User:
    """Set a new password from an emailed link; revokes every earlier token. The
    row lock queues racing uses of one link; the token, checked under it, then
    no longer matches the changed password, so only one succeeds."""
    user = _user_from_uid(uid)
    if user is None or not user.is_active or not default_token_generator.check_token(user, token):
        raise InvalidResetToken
    validate_password_for(new_password, user, field="new_password")
    user.set_password(new_password)
    user.save()
    record_event(action=AuditAction.UPDATE, actor=user, obj=user, request=request, fields=["password"])
    return user


def _user_from_uid(uid: str) -> User | None:
    try:
        pk = int(force_str(urlsafe_base64_decode(uid)))
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError):
        return None
    return User.objects.select_for_update().filter(pk=pk).first()
