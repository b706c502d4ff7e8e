"""Sessions, CSRF, the session's user and messages are for browsers: the API
and the probes skip them (config/browser_middleware.py); the admin keeps them."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from config import browser_middleware

pytestmark = pytest.mark.django_db
MACHINE_PATHS = ["/api/v1/auth/me", "/health/live", "/metrics"]


def seen(path: str) -> dict:
    """What each middleware left on a request for `path` by the time the view ran."""
    found = {}

    def view(request):
        found.update(
            session=hasattr(request, "session"),
            user=hasattr(request, "user"),
            messages=hasattr(request, "_messages"),
        )
        return HttpResponse()

    chain = view
    for middleware in reversed(
        [
            browser_middleware.SessionMiddleware,
            browser_middleware.AuthenticationMiddleware,
            browser_middleware.MessageMiddleware,
        ]
    ):
        chain = middleware(chain)
    chain(RequestFactory().get(path))
    return found


@pytest.mark.parametrize("path", MACHINE_PATHS)
def test_machine_requests_skip_the_browser_middleware(path):
    assert seen(path) == {"session": False, "user": False, "messages": False}


def test_the_admin_keeps_them():
    assert seen("/admin/login/") == {"session": True, "user": True, "messages": True}


def test_django_and_the_admin_still_find_them(settings):
    from django.core import checks

    assert [e.id for e in checks.run_checks() if e.id.startswith(("admin.E40", "admin.E41"))] == []


def test_an_admin_session_never_signs_an_api_request(world, admin_as):
    browser = admin_as(world.admin)
    assert browser.get("/admin/").status_code == 200
    response = browser.get("/api/v1/auth/me")
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"
    assert "sessionid" not in response.cookies
