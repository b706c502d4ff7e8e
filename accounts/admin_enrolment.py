"""The admin's page where each user manages their own second factor (an
authenticator app, its recovery codes, passkeys), and the rule that sends a
user whose role must have one (MFA_REQUIRED_ROLES) there before any other
admin page. The QR code is drawn on the server as SVG (qrcode): nothing
leaves the clinic. Rules: accounts/mfa.py and accounts/passkeys.py."""

import io

import qrcode
import qrcode.image.svg
from django.contrib import admin, messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from rest_framework.exceptions import Throttled

from accounts import admin_webauthn, mfa, passkeys, ratelimits
from accounts.exceptions import DomainError
from accounts.models import Passkey

# Reachable before enrolment: signing in and out, this page, the admin's scripts.
OPEN_PATHS = ("/admin/login/", "/admin/logout/", "/admin/second-factor/", "/admin/jsi18n/")


class EnrolmentMiddleware:
    """After AuthenticationMiddleware: an admin page asked by a user who must
    set up a second factor, and has none, redirects to the enrolment page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.path.startswith("/admin/")
            and not request.path.startswith(OPEN_PATHS)
            and request.user.is_authenticated
            and mfa.enrollment_pending(request.user)
        ):
            return redirect("admin-second-factor")
        return self.get_response(request)


@never_cache
def second_factor(request):
    return admin.site.admin_view(_second_factor)(request)


def _second_factor(request):
    """GET shows what the user has; POST does one `action` of ACTIONS. The
    recovery codes a POST makes are shown on its answer, once."""
    user, shown = request.user, {}
    if request.method == "POST":
        action = ACTIONS.get(request.POST.get("action", ""))
        try:
            if action is None:
                raise DomainError(_("Unknown action."))
            shown = action(request) or {}
            if not shown:
                return redirect("admin-second-factor")
        except DomainError as error:
            shown = {"error": error.detail}
        except Throttled as error:
            shown = {"error": _("Too many codes tried: wait %(seconds)s seconds.") % {"seconds": error.wait}}
    context = {
        **admin.site.each_context(request),
        "title": _("Your second factor"),
        "status": mfa.status(user),
        "passkeys": Passkey.objects.filter(user=user).order_by("created_at"),
        "continue_url": reverse("admin:index"),
        **shown,
    }
    if not context["status"]["totp"]:
        authenticator = mfa.waiting_totp(user) or mfa.start_totp(user=user)
        context.update(secret=authenticator.secret, qr_svg=_qr_svg(authenticator.otpauth_uri))
    return TemplateResponse(request, "admin/second_factor.html", context)


def _confirm_totp(request):
    ratelimits.limit_mfa(request, user=request.user)
    codes = mfa.confirm_totp(user=request.user, code=request.POST.get("code", ""), request=request)
    return {"recovery_codes": codes}


def _remove_totp(request):
    ratelimits.limit_mfa(request, user=request.user)
    mfa.disable_totp(user=request.user, request=request, **_owner_proof(request))
    messages.success(request, _("The authenticator app and its recovery codes are removed."))


def _new_recovery_codes(request):
    ratelimits.limit_mfa(request, user=request.user)
    codes = mfa.regenerate_recovery_codes(user=request.user, request=request, **_owner_proof(request))
    return {"recovery_codes": codes}


def _add_passkey(request):
    name = request.POST.get("name", "").strip()[:100] or str(_("Passkey"))
    admin_webauthn.register(request, name=name, credential=request.POST.get("passkey", ""))
    messages.success(request, _("Passkey “%(name)s” added.") % {"name": name})


def _remove_passkey(request):
    passkey = get_object_or_404(Passkey, pk=_int(request.POST.get("passkey_id")), user=request.user)
    passkeys.remove(user=request.user, passkey=passkey, request=request)
    messages.success(request, _("Passkey “%(name)s” removed.") % {"name": passkey.name})


ACTIONS = {
    "confirm_totp": _confirm_totp,
    "remove_totp": _remove_totp,
    "recovery_codes": _new_recovery_codes,
    "add_passkey": _add_passkey,
    "remove_passkey": _remove_passkey,
}


def _owner_proof(request) -> dict:
    return {"password": request.POST.get("password", ""), "code": request.POST.get("code", "")}


def _int(value) -> int | None:
    return int(value) if str(value or "").isdigit() else None


def _qr_svg(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    out = io.BytesIO()
    image.save(out)
    svg = out.getvalue().decode()
    return mark_safe(svg[svg.index("<svg") :])  # noqa: S308 (qrcode's own markup of our URI)
