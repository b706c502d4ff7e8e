"""The admin's sign-in and sign-out, rate-limited and audited as the API's are
(API.md, "Auth"): the same `login` counts (LOGIN_RATE per account,
LOGIN_IP_RATE per client IP) and the same audit rows."""

from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from rest_framework.exceptions import Throttled

from accounts import ratelimits
from accounts.audit import record_event
from accounts.models import AuditAction


@never_cache
def login(request, extra_context=None):
    if request.method != "POST":
        return admin.site.login(request, extra_context)
    try:
        ratelimits.limit_ip(request, group="login")
        ratelimits.limit_account(request, group="login", login=request.POST.get("username", ""))
    except Throttled as exc:
        return _throttled(request, wait=exc.wait)
    response = admin.site.login(request, extra_context)
    if response.status_code == 302:  # the form was valid: Django signed the user in
        record_event(action=AuditAction.LOGIN, actor=request.user, obj=request.user, request=request)
    elif response.status_code == 200:  # the form again, with its error
        record_event(action=AuditAction.LOGIN_FAILED, object_type="user", request=request)
    return response


def logout(request, extra_context=None):
    user = request.user
    was_signed_in = user.is_authenticated  # resolves the lazy user before the session goes
    response = admin.site.admin_view(admin.site.logout)(request, extra_context)
    if was_signed_in and not request.user.is_authenticated:
        record_event(action=AuditAction.LOGOUT, actor=user, obj=user, request=request)
    return response


def _throttled(request, *, wait: int) -> TemplateResponse:
    context = {
        **admin.site.each_context(request),
        "title": _("Too many sign-in attempts"),
        "retry_after": wait,
    }
    response = TemplateResponse(request, "admin/throttled.html", context, status=429)
    response["Retry-After"] = str(wait)
    return response
