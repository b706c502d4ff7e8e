# ruff: noqa: S101 (pytest asserts, as in every app's tests/)
"""A frontend on another origin, as a browser runs it: a page served from
http://127.0.0.1:<its own port> calls the API on the live server with
`fetch`, so Chromium's own CORS checks (preflight, allowed and exposed
headers) decide what goes through (API.md, "Conventions")."""

import threading
from datetime import time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from accounts.tests.factories import PASSWORD
from scheduling import selectors
from scheduling.models import Appointment

pytestmark = pytest.mark.django_db(transaction=True)

PAGE = b"<!doctype html><title>Clinic frontend</title><p>frontend</p>"

# Sign in (with a stale token still in the app's store), then book idempotently,
# twice with the same key, reading the headers a frontend needs.
BOOK = """
async ({api, username, password, booking}) => {
  const login = await fetch(`${api}/api/v1/auth/login`, {
    method: "POST",
    headers: {"Content-Type": "application/json", "Authorization": "Bearer stale-token-from-last-week"},
    body: JSON.stringify({username, password}),
  });
  const token = (await login.json()).access_token;
  const book = async () => {
    const response = await fetch(`${api}/api/v1/appointments/`, {
      method: "POST",
      headers: {
        "Authorization": `Bearer ${token}`,
        "Content-Type": "application/json",
        "Idempotency-Key": "booking-from-the-browser-1",
        "X-Request-ID": "frontend-req-42",
      },
      body: JSON.stringify(booking),
    });
    const body = await response.json();
    return {status: response.status, body, requestId: response.headers.get("X-Request-ID")};
  };
  return {login: login.status, first: await book(), repeat: await book()};
}
"""

LOGIN = """
async ({api, username, password}) => {
  const response = await fetch(`${api}/api/v1/auth/login`, {
    method: "POST",
    headers: {"Content-Type": "application/json"},
    body: JSON.stringify({username, password}),
  });
  return {
    status: response.status,
    code: (await response.json()).code,
    retryAfter: response.headers.get("Retry-After"),
    requestId: response.headers.get("X-Request-ID"),
  };
}
"""


class FrontendPage(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, format, *args):
        """Quiet: the test's own assertions say what happened."""


@pytest.fixture
def frontend():
    """The frontend's origin: a plain static server on a free port of 127.0.0.1."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), FrontendPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def open_frontend(page, frontend: str, api: str) -> None:
    page.goto(f"{frontend}/")
    page.wait_for_selector("text=frontend")
    assert frontend.split("://")[1] != api.split("://")[1]  # truly another origin


def test_a_frontend_on_another_origin_books_idempotently(world, live_server, page, frontend):
    open_frontend(page, frontend, live_server.url)
    starts_at = selectors.local_moment(timezone.localdate() + timedelta(days=1), time(10))
    booking = {
        "client": world.client.pk,
        "doctor": world.doctor.pk,
        "starts_at": starts_at.isoformat(),
        "duration_minutes": 30,
        "reason": "Check-up",
    }
    seen = page.evaluate(
        BOOK,
        {"api": live_server.url, "username": world.staff.username, "password": PASSWORD, "booking": booking},
    )
    assert seen["login"] == 200
    assert seen["first"]["status"] == 201, seen
    assert seen["first"]["requestId"] == "frontend-req-42"
    assert seen["repeat"] == seen["first"]
    booked = Appointment.objects.get()
    assert seen["first"]["body"]["id"] == booked.pk
    assert (booked.client, booked.doctor, booked.starts_at, booked.created_by) == (
        world.client,
        world.doctor,
        starts_at,
        world.staff,
    )


def test_a_frontend_on_another_origin_reads_retry_after(world, live_server, page, frontend, settings):
    settings.LOGIN_RATE = "1/m"
    open_frontend(page, frontend, live_server.url)
    credentials = {"api": live_server.url, "username": world.patient.username, "password": PASSWORD}
    assert page.evaluate(LOGIN, credentials)["status"] == 200
    throttled = page.evaluate(LOGIN, credentials)
    assert (throttled["status"], throttled["code"]) == (429, "throttled")
    assert int(throttled["retryAfter"]) > 0
    assert throttled["requestId"]
