"""Rate limits on the sign-in endpoints and on the other public ones whose
credential is a token in the URL (API.md, "Configuration"), with
django-ratelimit counting in Redis.

A count that Redis cannot keep falls back to a per-process count (DESIGN.md,
"Caching": logins keep working, rate-limited, while Redis is down). Keys are
hashed by django-ratelimit, so no email reaches a cache key.
"""

import time
import unicodedata
from contextlib import suppress

from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from django_ratelimit.core import _split_rate, get_usage
from rest_framework.exceptions import Throttled

from accounts.models import User
from config.client_ip import client_ip

_fallback = LocMemCache("accounts-ratelimit-fallback", {"MAX_ENTRIES": 10000})


def limit_ip(request, *, group: str, rate: str | None = None) -> None:
    """`rate` (default LOGIN_IP_RATE) per client IP (TRUSTED_PROXY_COUNT decides which hop)."""
    rate = rate or settings.LOGIN_IP_RATE
    _enforce(request, group=f"{group}:ip", rate=rate, value=client_ip(request))


def limit_account(request, *, group: str, login: str) -> None:
    """LOGIN_RATE per account: the user the login resolves to, else the name tried."""
    _enforce(request, group=f"{group}:account", rate=settings.LOGIN_RATE, value=account_key(login))


def limit_user(request, *, group: str, user) -> None:
    """LOGIN_RATE per signed-in account."""
    _enforce(request, group=f"{group}:account", rate=settings.LOGIN_RATE, value=f"user:{user.pk}")


def limit_mfa(request, *, user) -> None:
    """MFA_RATE second-factor codes per account (signing in, or managing the factor)."""
    _enforce(request, group="mfa:account", rate=settings.MFA_RATE, value=f"user:{user.pk}")


def account_key(login: str) -> str:
    """One count per account, however the login is spelled: the database matches
    lookalikes (a dotless i, `ADMIN`) to the same user, so the count follows the user's
    pk; an unknown name is folded with NFKC and casefold()."""
    name = (login or "").strip()
    if name:
        with suppress(User.DoesNotExist):
            return f"user:{User.objects.get_by_natural_key(name).pk}"
    return "name:" + unicodedata.normalize("NFKC", name).casefold().strip()


def _enforce(request, *, group: str, rate: str, value: str) -> None:
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return
    django_request = getattr(request, "_request", request)
    usage = get_usage(
        django_request, group=group, key=lambda _group, _request: value, rate=rate, increment=True
    )
    if usage is None:  # Redis could not count (RATELIMIT_FAIL_OPEN)
        usage = _count_in_process(group=group, rate=rate, value=value)
    if usage["should_limit"]:
        raise Throttled(wait=max(usage["time_left"], 1))


def _count_in_process(*, group: str, rate: str, value: str) -> dict:
    limit, period = _split_rate(rate)
    now = int(time.time())
    window = now - now % period + period
    key = f"{group}:{value}:{window}"
    _fallback.add(key, 0, period)
    count = _fallback.incr(key)
    return {"count": count, "limit": limit, "should_limit": count > limit, "time_left": window - now}
