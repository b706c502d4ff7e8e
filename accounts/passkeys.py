"""Passkeys (WebAuthn, checked by py_webauthn): registering one while signed
in, and using one as the second step of signing in (accounts/mfa.py).

The registration challenge waits in the cache for 5 minutes (Redis down: the
options must be asked again); the sign-in challenge is kept on the sign-in's
MfaChallenge row. Origins and the relying party: WEBAUTHN_ORIGINS,
WEBAUTHN_RP_ID (API.md, "Second factor")."""

import json

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from webauthn import (
    base64url_to_bytes,
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
)

from accounts import user_cache
from accounts.audit import record_event
from accounts.exceptions import InvalidPasskey
from accounts.models import AuditAction, MfaChallenge, Passkey, TOTPDevice, User

CHALLENGE_SECONDS = 300
_REGISTRATION_KEY = "auth:passkey-registration:{user_id}"


def registration_options(user: User) -> dict:
    """What `navigator.credentials.create()` takes, as the library emits it."""
    options = generate_registration_options(
        rp_id=settings.WEBAUTHN_RP_ID,
        rp_name=settings.MFA_ISSUER,
        user_name=user.username,
        user_id=str(user.pk).encode(),
        user_display_name=user.full_name or user.username,
        exclude_credentials=_descriptors(user),
        # A passkey the device keeps (discoverable): the admin's sign-in asks
        # for one before it knows whose it is.
        authenticator_selection=AuthenticatorSelectionCriteria(resident_key=ResidentKeyRequirement.PREFERRED),
        timeout=CHALLENGE_SECONDS * 1000,
    )
    cache.set(_REGISTRATION_KEY.format(user_id=user.pk), options.challenge, CHALLENGE_SECONDS)
    return json.loads(options_to_json(options))


def register(*, user: User, name: str, credential: dict, request=None, origins=()) -> Passkey:
    """Verify the authenticator's answer to the latest options (from
    WEBAUTHN_ORIGINS or `origins`: the admin's own) and keep the passkey."""
    challenge = cache.get(_REGISTRATION_KEY.format(user_id=user.pk))
    if challenge is None:
        raise InvalidPasskey(_("No passkey registration is waiting: ask for options first."))
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=settings.WEBAUTHN_RP_ID,
            expected_origin=[*settings.WEBAUTHN_ORIGINS, *origins],
        )
    except WebAuthnException as exc:
        raise InvalidPasskey from exc
    cache.delete(_REGISTRATION_KEY.format(user_id=user.pk))
    with transaction.atomic():
        if Passkey.objects.filter(credential_id=verified.credential_id).exists():
            raise InvalidPasskey(_("This passkey is registered already."))
        passkey = Passkey.objects.create(
            user=user,
            name=name,
            credential_id=verified.credential_id,
            public_key=verified.credential_public_key,
            sign_count=verified.sign_count,
        )
        sync_mfa_enabled(user)
        record_event(action=AuditAction.PASSKEY_ADDED, actor=user, obj=user, request=request)
    return passkey


def remove(*, user: User, passkey: Passkey, request=None) -> None:
    with transaction.atomic():
        passkey.delete()
        sync_mfa_enabled(user)
        record_event(action=AuditAction.PASSKEY_REMOVED, actor=user, obj=user, request=request)


def sign_in_options(challenge: MfaChallenge) -> dict:
    """What `navigator.credentials.get()` takes for this sign-in."""
    options = generate_authentication_options(
        rp_id=settings.WEBAUTHN_RP_ID,
        allow_credentials=_descriptors(challenge.user),
        timeout=CHALLENGE_SECONDS * 1000,
    )
    MfaChallenge.objects.filter(pk=challenge.pk).update(webauthn_challenge=options.challenge)
    return json.loads(options_to_json(options))


def discoverable_sign_in_options() -> tuple[dict, bytes]:
    """Options for any passkey the device keeps for this site, and their
    challenge: the admin's sign-in asks before the password says whose."""
    options = generate_authentication_options(rp_id=settings.WEBAUTHN_RP_ID, timeout=CHALLENGE_SECONDS * 1000)
    return json.loads(options_to_json(options)), options.challenge


def accept_assertion(user: User, assertion, *, challenge: bytes | None, origins=()) -> bool:
    """Whether `assertion` answers `challenge` with one of `user`'s passkeys,
    from WEBAUTHN_ORIGINS or `origins` (the signature counter moves on). Call
    with the user's row locked."""
    raw_id = assertion.get("rawId") if isinstance(assertion, dict) else None
    if not challenge or not isinstance(raw_id, str):
        return False
    try:
        passkey = Passkey.objects.filter(user=user, credential_id=base64url_to_bytes(raw_id)).first()
        if passkey is None:
            return False
        verified = verify_authentication_response(
            credential=assertion,
            expected_challenge=bytes(challenge),
            expected_rp_id=settings.WEBAUTHN_RP_ID,
            expected_origin=[*settings.WEBAUTHN_ORIGINS, *origins],
            credential_public_key=bytes(passkey.public_key),
            credential_current_sign_count=passkey.sign_count,
        )
    except (WebAuthnException, ValueError):
        return False
    passkey.sign_count, passkey.last_used_at = verified.new_sign_count, timezone.now()
    passkey.save(update_fields=["sign_count", "last_used_at"])
    return True


def _descriptors(user: User) -> list[PublicKeyCredentialDescriptor]:
    ids = Passkey.objects.filter(user=user).values_list("credential_id", flat=True)
    return [PublicKeyCredentialDescriptor(id=bytes(credential_id)) for credential_id in ids]


def sync_mfa_enabled(user: User) -> None:
    """`mfa_enabled` follows what the user has: a confirmed app or a passkey."""
    enabled = (
        Passkey.objects.filter(user=user).exists()
        or TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    )
    User.objects.filter(pk=user.pk).update(mfa_enabled=enabled)
    user.mfa_enabled = enabled
    user_cache.forget(user.pk)
