"""The middleware only a browser needs (the session, the session's user,
messages), skipped for the API and the probes. `/api/` authenticates by bearer
token alone (API.md), `/health` and `/metrics` by none or their own token: such
a request reads no session cookie, posts no form and shows no message, so it
need not pay for them. The admin and everything else keep them.

Each class is Django's own, subclassed, so Django's and the admin's checks
still find them in MIDDLEWARE. DRF sets `request.user` on the underlying
request once it has authenticated the token."""

from django.contrib.auth import middleware as auth
from django.contrib.messages import middleware as messages
from django.contrib.sessions import middleware as sessions

MACHINE_PREFIXES = ("/api/", "/health", "/metrics")


def is_api(request) -> bool:
    """A machine's request: the API, a health probe or a metrics scrape."""
    return request.path_info.startswith(MACHINE_PREFIXES)


class BrowserOnly:
    def __call__(self, request):
        if is_api(request) and not self.async_mode:
            return self.get_response(request)
        return super().__call__(request)


class SessionMiddleware(BrowserOnly, sessions.SessionMiddleware):
    """`request.session`, for browsers only."""


class AuthenticationMiddleware(BrowserOnly, auth.AuthenticationMiddleware):
    """The session's `request.user`, for browsers only (DRF sets the token's)."""


class MessageMiddleware(BrowserOnly, messages.MessageMiddleware):
    """The admin's messages, for browsers only."""
