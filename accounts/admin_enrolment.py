"""The admin's page for setting up an authenticator app, and the rule that
sends a user whose role must have a second factor (MFA_REQUIRED_ROLES) there
before any other admin page. The QR code is drawn on the server as SVG
(qrcode): nothing leaves the clinic. Rules: accounts/mfa.py."""

import io

import qrcode
import qrcode.image.svg
from django.contrib import admin
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from rest_framework.exceptions import Throttled

from accounts import mfa, ratelimits
from accounts.exceptions import InvalidMfaCode, MfaAlreadyEnabled

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
    user = request.user
    context = {
        **admin.site.each_context(request),
        "title": "Your second factor",
        "required": mfa.is_required(user),
        "enabled": user.mfa_enabled,
    }
    if request.method == "POST" and not user.mfa_enabled:
        try:
            ratelimits.limit_mfa(request, user=user)
            codes = mfa.confirm_totp(user=user, code=request.POST.get("code", ""), request=request)
            context.update(recovery_codes=codes, enabled=True, continue_url=reverse("admin:index"))
        except MfaAlreadyEnabled:
            context["enabled"] = True
        except InvalidMfaCode as error:
            context["error"] = error.detail
        except Throttled as error:
            context["error"] = f"Too many codes tried: wait {error.wait} seconds."
    if not context["enabled"]:
        authenticator = mfa.waiting_totp(user) or mfa.start_totp(user=user)
        context.update(secret=authenticator.secret, qr_svg=_qr_svg(authenticator.otpauth_uri))
    return TemplateResponse(request, "admin/second_factor.html", context)


def _qr_svg(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    out = io.BytesIO()
    image.save(out)
    svg = out.getvalue().decode()
    return mark_safe(svg[svg.index("<svg") :])  # noqa: S308 (qrcode's own markup of our URI)
