"""Sentry error tracking, only when SENTRY_DSN is set. Nothing sensitive
leaves: no request bodies, cookies, query strings, calendar-feed tokens, auth
headers or user data."""

import sentry_sdk
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.integrations.redis import RedisIntegration
from sentry_sdk.integrations.rq import RqIntegration

from config.observability import loggable_path

SENSITIVE_HEADERS = {"authorization", "cookie", "x-csrftoken", "proxy-authorization"}


def scrub(event, hint):
    """before_send: strip everything that can carry PHI or credentials."""
    request = event.get("request")
    if request:
        request.pop("data", None)
        request.pop("cookies", None)
        request.pop("query_string", None)
        request["headers"] = {
            name: value
            for name, value in request.get("headers", {}).items()
            if name.lower() not in SENSITIVE_HEADERS
        }
        if "url" in request:
            request["url"] = loggable_path(request["url"])
    event.pop("user", None)
    return event


def init_sentry(*, dsn: str, environment: str, traces_sample_rate: float) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        traces_sample_rate=traces_sample_rate,
        # The successor of send_default_pii=False (deprecated in this SDK): collect no user,
        # cookies, bodies, query strings or frame variables; `scrub` is the last guard.
        data_collection={
            "user_info": False,
            "cookies": {"mode": "off"},
            "http_headers": {"request": {"mode": "allowlist", "terms": ["user-agent", "content-type"]}},
            "http_bodies": [],
            "url_query_params": {"mode": "off"},
            "database_query_data": False,
            "stack_frame_variables": False,
        },
        max_request_body_size="never",
        before_send=scrub,
        before_send_transaction=scrub,
        integrations=[DjangoIntegration(), RedisIntegration(), RqIntegration()],
    )


def capture(exception) -> str | None:
    """Report an exception we answered ourselves; the event id, or None when Sentry is off."""
    if sentry_sdk.get_client().is_active():
        return sentry_sdk.capture_exception(exception)
    return None
