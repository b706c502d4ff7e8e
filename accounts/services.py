"""Writes of the accounts app: sign-in, tokens, users (password change and
reset: accounts/passwords.py; (patients sign
up through clinic.services.register_patient, which calls `create_user`)."""

import logging
from collections.abc import Collection

from django.contrib.auth import authenticate
from django.contrib.auth.models import update_last_login
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Lower
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts import mfa, passwords, roles, tokens
from accounts.audit import record_event
from accounts.exceptions import InvalidCredentials
from accounts.models import (
    EMAIL_IS_ANOTHER_USERNAME,
    USERNAME_IS_ANOTHER_EMAIL,
    AuditAction,
    User,
)
from config.changes import apply_changes, changed_fields
from config.languages import default_language

CREATED_FIELDS = ["email", "username", "full_name", "role"]
IDENTIFIERS = ("email", "username")  # what one signs in with
# (identifier, the column of another account it equals): the error.
_TAKEN = {
    ("email", "email"): _("A user with this email already exists."),
    ("email", "username"): _("Another account uses this email as its username."),
    ("username", "username"): _("A user with this username already exists."),
    ("username", "email"): _("Another account uses this username as its email."),
}
_TAKEN_BY_CONSTRAINT = {
    "accounts_user_username_key": ("username", "username"),
    "user_username_ci_unique": ("username", "username"),
    "user_email_ci_unique": ("email", "email"),
    USERNAME_IS_ANOTHER_EMAIL: ("username", "email"),
    EMAIL_IS_ANOTHER_USERNAME: ("email", "username"),
}

logger = logging.getLogger(__name__)


# Sign-in and tokens


def log_in(*, login: str, password: str, request) -> tokens.TokenPair | mfa.SecondStep:
    """A token pair for valid credentials, or, for a user with a second
    factor, the `mfa_token` of the second step (accounts/mfa.py); the same 401
    for an unknown login, a wrong password and an inactive user (the backend
    hashes in every case)."""
    user = authenticate(request, username=login, password=password)
    if user is None:
        record_event(action=AuditAction.LOGIN_FAILED, object_type="user", request=request)
        raise InvalidCredentials
    if user.mfa_enabled:
        return mfa.start_sign_in(user)
    with transaction.atomic():
        pair = tokens.pair_for(user)
        update_last_login(None, user)
        record_event(action=AuditAction.LOGIN, actor=user, obj=user, request=request)
    return pair


def rotate_refresh_token(*, refresh_token: str, request=None) -> tokens.TokenPair:
    """A new pair for a valid refresh token, which is blacklisted: each refresh
    token works once, even when two requests race with it. A used (or logged
    out) one presented again means it leaked: every token of its user is
    revoked and a `token_reuse` event recorded; the answer stays 401."""
    refresh = tokens.read_for_rotation(refresh_token)
    with transaction.atomic():
        # The row lock queues racing refreshes; the loser then sees the blacklist.
        outstanding = (
            OutstandingToken.objects.select_for_update()
            .filter(jti=refresh[api_settings.JTI_CLAIM])
            .order_by("pk")
            .first()
        )
        if outstanding is None:
            raise InvalidToken(_("Token is invalid"))
        if not BlacklistedToken.objects.filter(token=outstanding).exists():
            user = _token_owner(refresh)
            BlacklistedToken.objects.create(token=outstanding)
            return tokens.pair_for(user, amr=tokens.amr_of(refresh))
        _revoke_on_reuse(refresh, request=request)
    raise InvalidToken(_("Token is blacklisted"))


def _revoke_on_reuse(refresh, *, request) -> None:
    user = _token_user(refresh)
    if user is None:
        return
    # A token that an earlier revocation already covers changes nothing more, so
    # replaying one old token cannot sign its owner out again and again.
    if user.accepts_token_issued_at(tokens.issued_at(refresh)):
        _revoke_every_token(user)
    record_event(action=AuditAction.TOKEN_REUSE, obj=user, request=request)


def log_out(*, user: User, refresh_token: str, access_token, request) -> None:
    """Blacklist the refresh token and deny-list the calling access token. When
    the deny-list (Redis) is unreachable, every token of the user is revoked
    instead: the database's check then refuses the access token."""
    refresh = tokens.read(refresh_token, tokens.RefreshToken)
    if str(refresh.get(api_settings.USER_ID_CLAIM)) != str(user.pk):
        raise InvalidToken(_("Token is invalid"))
    denied = access_token is None or tokens.deny_access_token(access_token)
    with transaction.atomic():
        refresh.blacklist()
        if not denied:
            _revoke_every_token(user)
        fields = [] if denied else ["tokens_valid_after"]
        record_event(action=AuditAction.LOGOUT, actor=user, obj=user, request=request, fields=fields)


def _revoke_every_token(user: User) -> None:
    user.revoke_tokens()
    user.save(update_fields=["tokens_valid_after"])


def _token_user(token) -> User | None:
    user_id = str(token.get(api_settings.USER_ID_CLAIM, ""))
    return User.objects.filter(pk=user_id).first() if user_id.isdigit() else None


def _token_owner(token) -> User:
    user = _token_user(token)
    if user is None or not user.is_active or not user.accepts_token_issued_at(tokens.issued_at(token)):
        raise InvalidToken(_("Token is invalid"))
    return user


# Users


@transaction.atomic
def create_user(
    *,
    email: str,
    username: str,
    password: str,
    full_name: str = "",
    role: str,
    language: str = "",
    actor=None,
    request=None,
) -> User:
    """A new user (in `language`, else LANGUAGE_CODE); 400 on a taken email or
    username or a weak password."""
    user = User(
        email=User.objects.normalize_email(email),
        username=username,
        full_name=full_name,
        role=role,
        language=language or default_language(),
    )
    passwords.validate_password_for(password, user, field="password")
    check_identifiers_free(user=user)
    user.set_password(password)
    _save(user)
    if actor is not None:
        record_event(action=AuditAction.CREATE, actor=actor, obj=user, request=request, fields=CREATED_FIELDS)
    return user


@transaction.atomic
def update_user(*, user: User, actor: User, request=None, current_password: str = "", **changes) -> User:
    """Change profile fields (and, for admins, `role`/`is_active`). Changing
    one's own email or username takes one's current password. A role change
    or deactivation revokes the user's tokens."""
    changed = changed_fields(user, changes)
    if not changed:
        return user
    if user.pk == actor.pk:
        _check_own_change(user, changed, current_password)
    apply_changes(user, changes)
    if "email" in changed:
        user.email = User.objects.normalize_email(user.email)
    check_identifiers_free(user=user, fields=[name for name in IDENTIFIERS if name in changed])
    return save_user_changes(user=user, changed=changed, actor=actor, request=request)


def _check_own_change(user: User, changed: list[str], current_password: str) -> None:
    """What one may not do to one's own account, or not without one's password
    (a stolen access token must not be enough to take the account over)."""
    if {"role", "is_active"} & set(changed):
        field = "role" if "role" in changed else "is_active"
        raise ValidationError({field: [_("You cannot change your own role or deactivate yourself.")]})
    if set(IDENTIFIERS) & set(changed):
        if not current_password:
            raise ValidationError(
                {"current_password": [_("Give your current password to change your email or username.")]}
            )
        if not user.check_password(current_password):
            raise ValidationError({"current_password": [_("The current password is not correct.")]})


@transaction.atomic
def save_user_changes(*, user: User, changed, actor: User, request=None) -> User:
    """Save `user` whose `changed` fields were set (API or admin): a role change
    or a deactivation revokes every token they hold."""
    if "role" in changed or ("is_active" in changed and not user.is_active):
        user.revoke_tokens()
    _save(user)
    record_event(action=AuditAction.UPDATE, actor=actor, obj=user, request=request, fields=changed)
    return user


def deactivate_user(*, user: User, actor: User, request=None) -> User:
    """Deactivate (nothing that references the user is lost); revokes their tokens."""
    return update_user(user=user, actor=actor, request=request, is_active=False)


def check_identifiers_free(*, user: User, fields: Collection[str] = IDENTIFIERS) -> None:
    """400 when `user`'s email or username (those in `fields`) is another
    account's email or username, case-insensitively: an identifier signs in
    to one account only. The database refuses it too (migration 0006)."""
    others = User.objects.exclude(pk=user.pk)
    errors = {}
    for (field, column), message in _TAKEN.items():
        if field not in fields or field in errors:
            continue
        if others.filter(Exact(Lower(column), Lower(Value(getattr(user, field))))).exists():
            errors[field] = [message]
    if errors:
        raise ValidationError(errors)


def _save(user: User) -> None:
    """Save a created or changed user; their admin access (`is_staff`, role
    group) follows their role (accounts.roles)."""
    roles.apply_role_flags(user)
    try:
        with transaction.atomic():
            user.save()
            roles.sync_groups(user)
    except IntegrityError as exc:  # a racing request took the email or username
        taken = _TAKEN_BY_CONSTRAINT.get(_constraint_name(exc))
        if taken is None:
            raise
        raise ValidationError({taken[0]: [_TAKEN[taken]]}) from exc


def _constraint_name(exc: IntegrityError) -> str | None:
    return getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)
