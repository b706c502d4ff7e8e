"""The second factor (API.md, "Second factor"): an authenticator app (TOTP,
checked by django-otp's `oath`) with ten single-use recovery codes, and
signing in in two steps: the password answers an `mfa_token`, which
`verify_sign_in` trades with a code for the token pair.

Every rule is here; the API views and the admin call these functions. A
user's second-factor changes are serialized on their user row; a failed
attempt is audited outside the transaction it fails in, so the event stays.
"""

import hashlib
import json
import secrets
from base64 import b32encode
from binascii import unhexlify
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth.models import update_last_login
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.oath import TOTP
from django_otp.util import random_hex

from accounts import passkeys, ratelimits, tokens
from accounts.audit import record_event
from accounts.exceptions import InvalidMfaCode, InvalidPassword, MfaAlreadyEnabled, MfaTokenExpired
from accounts.models import AuditAction, MfaChallenge, Passkey, RecoveryCode, Role, TOTPDevice, User
from config.crypto import InvalidToken, token_fernet

TOTP_STEP, TOTP_DIGITS = 30, 6
TOTP_TOLERANCE = 1  # a code of the step before or after is accepted (clock skew)
RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
CHALLENGE_LIFETIME = timedelta(minutes=5)
AMR_PASSWORD, AMR_OTP, AMR_HARDWARE_KEY = "pwd", "otp", "hwk"


# What a user has and must have


def is_required(user: User) -> bool:
    """Whether MFA_REQUIRED_ROLES names this user's role (a superuser counts as admin)."""
    role = Role.ADMIN if user.is_admin else user.role
    return role in settings.MFA_REQUIRED_ROLES


def enrollment_pending(user: User) -> bool:
    """A user who must have a second factor and has none: their tokens reach
    only the routes that set one up (accounts/authentication.py)."""
    return not user.mfa_enabled and is_required(user)


def status(user: User) -> dict:
    return {
        "totp": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
        "passkeys": Passkey.objects.filter(user=user).count(),
        "recovery_codes_left": RecoveryCode.objects.filter(user=user, used_at=None).count(),
        "required": is_required(user),
    }


def methods(user: User) -> list[str]:
    """How this user can complete a sign-in."""
    found = []
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        found.append("totp")
    if RecoveryCode.objects.filter(user=user, used_at=None).exists():
        found.append("recovery_code")
    if Passkey.objects.filter(user=user).exists():
        found.append("passkey")
    return found


# Setting up and removing the authenticator app


@dataclass(frozen=True)
class NewAuthenticator:
    secret: str  # base32, as authenticator apps take it
    otpauth_uri: str


def start_totp(*, user: User) -> NewAuthenticator:
    """A new, unconfirmed authenticator (replacing an unconfirmed one); its
    first correct code confirms it (`confirm_totp`)."""
    key = random_hex(20)
    with transaction.atomic():
        _lock(user)
        existing = TOTPDevice.objects.filter(user=user).first()
        if existing is not None and existing.confirmed:
            raise MfaAlreadyEnabled
        if existing is not None:
            existing.delete()
        TOTPDevice.objects.create(user=user, name="Authenticator app", key=key, confirmed=False)
    secret = b32encode(unhexlify(key)).decode()
    return NewAuthenticator(secret=secret, otpauth_uri=otpauth_uri(user, secret))


def waiting_totp(user: User) -> NewAuthenticator | None:
    """The unconfirmed authenticator waiting for its first code, if any."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        return None
    secret = b32encode(unhexlify(device.key)).decode()
    return NewAuthenticator(secret=secret, otpauth_uri=otpauth_uri(user, secret))


def otpauth_uri(user: User, secret: str) -> str:
    """The Key URI authenticator apps read from a QR code."""
    label = quote(f"{settings.MFA_ISSUER}:{user.username}")
    query = urlencode(
        {"secret": secret, "issuer": settings.MFA_ISSUER, "digits": TOTP_DIGITS, "period": TOTP_STEP},
        quote_via=quote,
    )
    return f"otpauth://totp/{label}?{query}"


def confirm_totp(*, user: User, code: str, request=None) -> list[str]:
    """Confirm the waiting authenticator with its current code; the answer is
    a fresh set of recovery codes, shown this once."""
    with transaction.atomic():
        _lock(user)
        device = TOTPDevice.objects.filter(user=user).first()
        if device is not None and device.confirmed:
            raise MfaAlreadyEnabled
        accepted = device is not None and _accept_totp(device, code)
        if accepted:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            passkeys.sync_mfa_enabled(user)
            codes = _replace_recovery_codes(user)
            record_event(action=AuditAction.MFA_ENABLED, actor=user, obj=user, request=request)
    if not accepted:
        _failed(user, request)
        detail = (
            None if device is not None else _("No authenticator is waiting: start with POST auth/mfa/totp.")
        )
        raise InvalidMfaCode(detail)
    return codes


def disable_totp(*, user: User, password: str, code: str, request=None) -> None:
    """Remove the authenticator and its recovery codes: the password and a
    current code (or a recovery code) say it is the owner."""
    _check_password(user, password, request)
    with transaction.atomic():
        _lock(user)
        accepted = _accept_code(user, code) is not None
        if accepted:
            TOTPDevice.objects.filter(user=user).delete()
            RecoveryCode.objects.filter(user=user).delete()
            passkeys.sync_mfa_enabled(user)
            record_event(action=AuditAction.MFA_DISABLED, actor=user, obj=user, request=request)
    if not accepted:
        _failed(user, request)
        raise InvalidMfaCode


def regenerate_recovery_codes(*, user: User, password: str, code: str, request=None) -> list[str]:
    """A new set of recovery codes; the old set stops working."""
    _check_password(user, password, request)
    with transaction.atomic():
        _lock(user)
        accepted = _accept_code(user, code) is not None
        if accepted:
            codes = _replace_recovery_codes(user)
    if not accepted:
        _failed(user, request)
        raise InvalidMfaCode
    return codes


def reset(*, user: User, by: User, request=None) -> None:
    """An admin clears another user's second factor (a lost phone): the
    authenticator, recovery codes and passkeys go, and every token of the
    user is revoked."""
    with transaction.atomic():
        locked = _lock(user)
        TOTPDevice.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
        Passkey.objects.filter(user=user).delete()
        locked.mfa_enabled = False
        locked.revoke_tokens()
        locked.save(update_fields=["mfa_enabled", "tokens_valid_after"])
        record_event(action=AuditAction.MFA_RESET, actor=by, obj=user, request=request)
    user.mfa_enabled, user.tokens_valid_after = locked.mfa_enabled, locked.tokens_valid_after


# Signing in


@dataclass(frozen=True)
class SecondStep:
    """The answer to a right password when a second factor is set up."""

    mfa_token: str
    methods: list[str]

    def as_response(self) -> dict:
        return {"mfa_required": True, "mfa_token": self.mfa_token, "methods": self.methods}


def start_sign_in(user: User) -> SecondStep:
    challenge = MfaChallenge.objects.create(user=user, expires_at=timezone.now() + CHALLENGE_LIFETIME)
    token = token_fernet().encrypt(json.dumps({"mfa_challenge": challenge.pk}).encode()).decode()
    return SecondStep(mfa_token=token, methods=methods(user))


def passkey_options(*, mfa_token: str) -> dict:
    """The WebAuthn options of this sign-in's passkey step."""
    return passkeys.sign_in_options(_live_challenge(mfa_token))


def verify_sign_in(*, mfa_token: str, request, code: str = "", passkey=None) -> tokens.TokenPair:
    """The token pair for a right code (TOTP or recovery code) or passkey
    assertion on a live `mfa_token`, which then stops working. MFA_RATE
    tries per account."""
    challenge = _live_challenge(mfa_token)
    user = challenge.user
    ratelimits.limit_mfa(request, user=user)
    with transaction.atomic():
        challenge = MfaChallenge.objects.select_for_update().select_related("user").get(pk=challenge.pk)
        if challenge.used_at is not None:
            raise MfaTokenExpired
        proof = SecondFactor(code=code, passkey=passkey, webauthn_challenge=challenge.webauthn_challenge)
        method = _accept(user, proof, request)
        if method is not None:
            challenge.used_at = timezone.now()
            challenge.save(update_fields=["used_at"])
            amr = (AMR_PASSWORD, AMR_HARDWARE_KEY if method == "passkey" else AMR_OTP)
            pair = tokens.pair_for(user, amr=amr)
            update_last_login(None, user)
            record_event(action=AuditAction.LOGIN, actor=user, obj=user, request=request)
    if method is None:
        _failed(user, request)
        raise InvalidMfaCode(status_code=401)
    return pair


def check_second_factor(*, user: User, proof: "SecondFactor", request) -> bool:
    """The admin's sign-in step: whether `proof` (a code, or a passkey
    assertion to `proof.webauthn_challenge`) is right for `user`, spending
    it; MFA_RATE per account, failures audited."""
    ratelimits.limit_mfa(request, user=user)
    with transaction.atomic():
        method = _accept(user, proof, request)
    if method is None:
        _failed(user, request)
    return method is not None


@dataclass(frozen=True)
class SecondFactor:
    """What a user gives as their second factor: a code (app or recovery
    code), or a passkey's assertion to the WebAuthn challenge it answers."""

    code: str = ""
    passkey: dict | None = None
    webauthn_challenge: bytes | None = None
    origins: tuple[str, ...] = ()  # besides WEBAUTHN_ORIGINS: the admin's own


def _accept(user: User, proof: SecondFactor, request) -> str | None:
    """ "totp", "recovery_code" or "passkey" for a right proof (spent, the
    user's row locked until the caller's transaction ends), else None."""
    _lock(user)
    if proof.passkey is not None:
        accepted = passkeys.accept_assertion(
            user, proof.passkey, challenge=proof.webauthn_challenge, origins=proof.origins
        )
        return "passkey" if accepted else None
    method = _accept_code(user, proof.code)
    if method == "recovery_code":
        record_event(action=AuditAction.RECOVERY_CODE_USED, actor=user, obj=user, request=request)
    return method


def _live_challenge(mfa_token: str) -> MfaChallenge:
    try:
        challenge_id = json.loads(token_fernet().decrypt(str(mfa_token).encode()))["mfa_challenge"]
    except (InvalidToken, ValueError, KeyError, TypeError) as exc:
        raise MfaTokenExpired from exc
    challenge = (
        MfaChallenge.objects.select_related("user")
        .filter(pk=challenge_id, used_at=None, expires_at__gt=timezone.now(), user__is_active=True)
        .first()
    )
    if challenge is None:
        raise MfaTokenExpired
    return challenge


# Codes


def _accept_code(user: User, code: str) -> str | None:
    """ "totp" or "recovery_code" for whichever `code` is, or None."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None and _accept_totp(device, code):
        return "totp"
    if _use_recovery_code(user, code):
        return "recovery_code"
    return None


def _accept_totp(device: TOTPDevice, code: str) -> bool:
    """The device's current code (± TOLERANCE steps), never one of a step
    already used: a code works once."""
    code = str(code or "").strip()
    if len(code) != TOTP_DIGITS or not code.isdigit():
        return False
    totp = TOTP(unhexlify(device.key), step=TOTP_STEP, digits=TOTP_DIGITS)
    if not totp.verify(int(code), tolerance=TOTP_TOLERANCE, min_t=device.last_t + 1):
        return False
    device.last_t, device.last_used_at = totp.t(), timezone.now()
    device.save(update_fields=["last_t", "last_used_at"])
    return True


def _check_password(user: User, password: str, request) -> None:
    """The first half of proving one is the owner; a wrong password is a failed attempt too."""
    if not user.check_password(password or ""):
        _failed(user, request)
        raise InvalidPassword


def _replace_recovery_codes(user: User) -> list[str]:
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create(RecoveryCode(user=user, code_hash=_hash(code)) for code in codes)
    return codes


def _new_recovery_code() -> str:
    """Sixteen characters of 31 (about 79 bits: a plain hash cannot be
    brute-forced), shown as xxxx-xxxx-xxxx-xxxx."""
    text = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(16))
    return "-".join(text[i : i + 4] for i in range(0, 16, 4))


def _hash(code: str) -> str:
    """SHA-256 of the code as typed in any case, with or without its dash or spaces."""
    normalized = "".join(str(code or "").split()).replace("-", "").lower()
    return hashlib.sha256(normalized.encode()).hexdigest()


def _use_recovery_code(user: User, code: str) -> bool:
    """Spend one unused recovery code; a used one never works again."""
    spent = RecoveryCode.objects.filter(user=user, code_hash=_hash(code), used_at=None).update(
        used_at=timezone.now()
    )
    return spent == 1


# Small helpers


def _lock(user: User) -> User:
    return User.objects.select_for_update().get(pk=user.pk)


def _failed(user: User, request) -> None:
    record_event(action=AuditAction.MFA_FAILED, actor=user, obj=user, request=request)
