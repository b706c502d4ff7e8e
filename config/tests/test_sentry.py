"""Sentry receives errors (a real SDK, sending to a local HTTP endpoint) and nothing sensitive."""

import gzip
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sentry_sdk
from django.urls import path, re_path
from rest_framework.test import APIClient

from config import urls as project_urls
from config.sentry import init_sentry

# Joined at run time so that Sentry's source context (lines of this file) cannot hold them.
PHI, TOKEN, COOKIE, EMAIL = (
    "-".join(parts)
    for parts in [
        ("Penicillin", "allergy"),
        ("secret", "bearer"),
        ("session", "cookie"),
        ("jane.doe", "example.test"),
    ]
)
MARKERS = (PHI, TOKEN, COOKIE, EMAIL)


def boom(request):
    raise ValueError("boom in a view")


FEED_TOKEN = "Abc123_-" * 4

urlpatterns = [
    path("api/v1/_sentry_boom", boom),
    re_path(r"^calendar/(?P<token>[A-Za-z0-9_-]{20,100})\.ics$", lambda request, token: boom(request)),
    *project_urls.urlpatterns,
]


class Recorder(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        Recorder.received.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        """Quiet: the test reads what arrives, not the server's log."""


@pytest.fixture
def sentry_server():
    Recorder.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    init_sentry(
        dsn=f"http://publickey@127.0.0.1:{server.server_port}/1", environment="test", traces_sample_rate=0
    )
    yield Recorder.received
    sentry_sdk.init()  # back to a disabled client
    server.shutdown()


@pytest.mark.django_db  # the request log reads the session behind the cookie
@pytest.mark.urls(__name__)
def test_an_unhandled_error_reaches_sentry_without_phi_or_secrets(sentry_server):
    client = APIClient(raise_request_exception=False)
    client.cookies["sessionid"] = COOKIE
    response = client.post(
        f"/api/v1/_sentry_boom?email={EMAIL}",
        {"medical_history": PHI},
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {TOKEN}",
    )
    assert response.status_code == 500
    error_id = response.json()["error_id"]
    sentry_sdk.flush(timeout=5)

    payload = b"".join(sentry_server).decode()
    assert "boom in a view" in payload
    events = [
        json.loads(line) for line in payload.splitlines() if line.startswith("{") and '"exception"' in line
    ]
    assert [event["event_id"] for event in events] == [error_id]
    for marker in MARKERS:
        assert marker not in payload


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_an_error_on_a_calendar_feed_reaches_sentry_without_its_token(sentry_server):
    response = APIClient(raise_request_exception=False).get(f"/calendar/{FEED_TOKEN}.ics?email={EMAIL}")
    assert response.status_code == 500
    sentry_sdk.flush(timeout=5)

    payload = b"".join(sentry_server).decode()
    assert "boom in a view" in payload
    assert '"transaction":"/calendar/{token}.ics"' in payload  # the route, not the path
    assert FEED_TOKEN not in payload
    assert EMAIL not in payload
