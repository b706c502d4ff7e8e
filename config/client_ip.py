"""The caller's address, as rate limits and the audit trail see it."""

from django.conf import settings


def client_ip(request) -> str:
    """REMOTE_ADDR, or the X-Forwarded-For hop TRUSTED_PROXY_COUNT places from the right.

    Only the hops our own proxies appended are trusted, so a client cannot
    choose its address (and reset a rate-limit count) by sending the header.
    """
    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted > 0:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= trusted:
            return hops[-trusted]
    return request.META.get("REMOTE_ADDR", "")
