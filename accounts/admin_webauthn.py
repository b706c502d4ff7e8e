"""Passkeys in the admin: the WebAuthn options its pages ask for
(accounts/static/accounts/passkeys.js) and turning the browser's answer
into a `mfa.SecondFactor`. The admin's own origin is accepted beside
WEBAUTHN_ORIGINS (its host is one of ALLOWED_HOSTS); WEBAUTHN_RP_ID must be
that host or a parent domain of it. Rules: accounts/passkeys.py."""

import json
from base64 import urlsafe_b64decode, urlsafe_b64encode

from django.contrib import admin
from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from rest_framework.exceptions import Throttled

from accounts import passkeys, ratelimits
from accounts.mfa import SecondFactor

_SIGN_IN_CHALLENGE = "admin_passkey_challenge"


def own_origin(request) -> str:
    return f"{request.scheme}://{request.get_host()}"


@never_cache
@require_POST
def sign_in_options(request):
    """Options for the sign-in page's "Use a passkey": any passkey the device
    keeps for this site (the password, sent with the answer, says whose).
    The challenge waits in the session until the form is sent."""
    try:
        ratelimits.limit_ip(request, group="admin_passkey")
    except Throttled as exc:
        return JsonResponse(
            {"detail": _("Too many tries: wait %(seconds)s seconds.") % {"seconds": exc.wait}}, status=429
        )
    options, challenge = passkeys.discoverable_sign_in_options()
    request.session[_SIGN_IN_CHALLENGE] = urlsafe_b64encode(challenge).decode()
    return JsonResponse(options)


def sign_in_proof(request, *, code: str, passkey: str) -> SecondFactor:
    """The sign-in form's second factor: the passkey's answer to the
    session's challenge (spent here: one try), else the code."""
    if not passkey:
        return SecondFactor(code=code)
    stored = request.session.pop(_SIGN_IN_CHALLENGE, None)
    try:
        assertion = json.loads(passkey)
    except ValueError:
        assertion = {}
    challenge = urlsafe_b64decode(stored) if stored else None
    return SecondFactor(passkey=assertion, webauthn_challenge=challenge, origins=(own_origin(request),))


@never_cache
@require_POST
def registration_options(request):
    """Options for "Add a passkey" on the signed-in user's second-factor page."""
    return admin.site.admin_view(_registration_options)(request)


def _registration_options(request):
    return JsonResponse(passkeys.registration_options(request.user))


def register(request, *, name: str, credential: str):
    """Keep the passkey the page's browser created (accounts.passkeys.register)."""
    try:
        parsed = json.loads(credential)
    except ValueError:
        parsed = {}
    return passkeys.register(
        user=request.user, name=name, credential=parsed, request=request, origins=(own_origin(request),)
    )
