"""Request ids, one structured log line per request, and what logs never hold.

The log line carries method, path, status, duration, database queries and
their time, user id and request id. No bodies, no headers, so no PHI and no
tokens. With SERVER_TIMING on, the same figures go back in a `Server-Timing`
header (the benchmark reads them; browsers' dev tools show them).

No log line holds a query string (it can hold names or emails), the token
of a private calendar feed (`/calendar/<token>.ics`) or of a waitlist offer
(`/api/v1/waitlist/offers/<token>/accept`): the token is the credential.
Our own line logs `loggable_path`; `RedactFilter` rewrites what Django
(`django.request`, `django.server`), gunicorn and the rest log.
"""

import contextvars
import logging
import re
import secrets
import time

from django.conf import settings
from django.db import connection
from django.http import HttpRequest

logger = logging.getLogger("config.requests")

request_id_var = contextvars.ContextVar("request_id", default="-")
SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# A path (or URL) and its query string, wherever it stands in a line. The query
# ends at the first space (as in a request line): a quote can be part of it.
QUERY_STRING = re.compile(r"(/[^\s?]*)\?\S*")
# Paths whose token is the credential, and how a log shows them.
SECRET_PATHS = (
    (re.compile(r"/calendar/[^/\s?]+\.ics"), "/calendar/<token>.ics"),  # a private calendar feed
    (re.compile(r"/waitlist/offers/[^/\s?]+"), "/waitlist/offers/<token>"),  # a waitlist offer's answer
)
SECRET_MARKS = ("/calendar/", "/waitlist/offers/")


def incoming_request_id(request) -> str:
    """The caller's X-Request-ID when it is safe to echo and log, else a new one."""
    given = request.headers.get("X-Request-ID", "")
    return given if SAFE_REQUEST_ID.match(given) else secrets.token_hex(16)


def loggable_path(path: str) -> str:
    """`path` as a log may hold it: no query string, no feed or offer token."""
    return _mask_tokens(path.split("?", 1)[0])


def redact(text: str) -> str:
    """`text` with every path's query string dropped and every feed or offer token masked."""
    if "?" not in text and not any(mark in text for mark in SECRET_MARKS):
        return text
    return _mask_tokens(QUERY_STRING.sub(r"\1", text))


def _mask_tokens(text: str) -> str:
    for pattern, masked in SECRET_PATHS:
        text = pattern.sub(masked, text)
    return text


class RedactFilter(logging.Filter):
    """Rewrite a record so that it holds no query string or feed token: its
    message, its string arguments (django.server's request line), and the
    `request` and `path` Django and config.errors attach. Set on the loggers
    that log requests (so every handler, Sentry's breadcrumbs and the admins'
    mail see the clean record) and on every handler (for any other logger)."""

    def filter(self, record):
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        request = getattr(record, "request", None)
        if isinstance(request, HttpRequest):
            record.request = f"<{type(request).__name__}: {request.method} {loggable_path(request.path)!r}>"
        elif request is not None and not isinstance(request, str):
            record.request = redact(repr(request))
        if isinstance(getattr(record, "path", None), str):
            record.path = loggable_path(record.path)
        return True


class RequestIdFilter(logging.Filter):
    """Stamp every log record with the current request id."""

    def filter(self, record):
        record.request_id = request_id_var.get()
        return True


class QueryTimer:
    """Counts the queries run through a connection and the time they take."""

    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.count += 1
            self.seconds += time.perf_counter() - started


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = incoming_request_id(request)
        token = request_id_var.set(request.request_id)
        started, queries = time.perf_counter(), QueryTimer()
        try:
            with connection.execute_wrapper(queries):
                response = self.get_response(request)
            response["X-Request-ID"] = request.request_id
            duration_ms = (time.perf_counter() - started) * 1000
            if settings.SERVER_TIMING:
                db = f'db;dur={queries.seconds * 1000:.2f};desc="{queries.count} queries"'
                response["Server-Timing"] = f"app;dur={duration_ms:.2f}, {db}"
            self._log(request, response.status_code, duration_ms, queries)
            return response
        finally:
            request_id_var.reset(token)

    @staticmethod
    def _log(request, status_code, duration_ms, queries):
        user = getattr(request, "user", None)
        logger.info(
            "request",
            extra={
                "method": request.method,
                "path": loggable_path(request.path),
                "status": status_code,
                "duration_ms": round(duration_ms, 2),
                "db_queries": queries.count,
                "db_ms": round(queries.seconds * 1000, 2),
                "user_id": user.pk if user is not None and user.is_authenticated else None,
            },
        )
