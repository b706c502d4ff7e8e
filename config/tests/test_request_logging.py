import io
import json
import logging
import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core.servers.basehttp import WSGIRequestHandler
from django.urls import path, re_path
from pythonjsonlogger.json import JsonFormatter
from rest_framework.test import APIClient

from config import urls as project_urls
from config.tests.live import _answers, child_database_url, free_port, http_get, wait_until
from scheduling.tests.test_waitlist import answer, offered


@pytest.fixture
def client():
    return APIClient()


def request_lines(caplog):
    return [r for r in caplog.records if r.name == "config.requests"]


def test_request_id_is_made_and_returned(client):
    response = client.get("/health/live")
    assert len(response["X-Request-ID"]) == 32


def test_a_safe_request_id_is_echoed(client):
    response = client.get("/health/live", HTTP_X_REQUEST_ID="lb-1234.abc")
    assert response["X-Request-ID"] == "lb-1234.abc"


def test_an_unsafe_request_id_is_replaced(client):
    response = client.get("/health/live", HTTP_X_REQUEST_ID="<script>\nx")
    assert response["X-Request-ID"] != "<script>\nx"
    assert len(response["X-Request-ID"]) == 32


def test_one_log_line_per_request_without_query_string(client, caplog):
    with caplog.at_level(logging.INFO, logger="config.requests"):
        response = client.get("/health/live?search=Jane+Doe", HTTP_X_REQUEST_ID="req-42")
    [line] = request_lines(caplog)
    assert line.method == "GET"
    assert line.path == "/health/live"
    assert line.status == 200
    assert line.duration_ms >= 0
    assert line.user_id is None
    assert line.request_id == "req-42" == response["X-Request-ID"]
    assert "Jane" not in caplog.text


def test_log_lines_are_json(client, capsys):
    logger = logging.getLogger("config.requests")
    handler = logging.getLogger().handlers[0]
    record = logger.makeRecord("config.requests", logging.INFO, __file__, 1, "request", (), None)
    record.request_id = "r-1"
    record.status = 200
    parsed = json.loads(handler.format(record))
    assert parsed["message"] == "request"
    assert parsed["status"] == 200
    assert parsed["request_id"] == "r-1"


@pytest.mark.django_db
def test_the_log_line_counts_database_queries(client, caplog):
    with caplog.at_level(logging.INFO, logger="config.requests"):
        client.get("/health/db")
    [line] = request_lines(caplog)
    assert line.db_queries == 1
    assert line.db_ms >= 0


@pytest.mark.django_db
def test_server_timing_header_when_enabled(client, settings):
    settings.SERVER_TIMING = True
    timing = client.get("/health/db")["Server-Timing"]
    assert timing.startswith("app;dur=")
    assert 'desc="1 queries"' in timing


def test_no_server_timing_header_by_default(client):
    assert "Server-Timing" not in client.get("/health/live")


# --- What no log line holds: query strings, calendar-feed and offer tokens --------------------

FEED_TOKEN = "Abc123_-" * 4  # the shape of a real token (config/urls.py)


def boom(request, **kwargs):
    raise ValueError("boom in a view")


urlpatterns = [
    path("api/v1/_boom", boom),
    re_path(r"^calendar/(?P<token>[A-Za-z0-9_-]{20,100})\.ics$", boom),
    *project_urls.urlpatterns,
]


@pytest.fixture
def log_output():
    """What the project's log handler writes, formatted, during the test."""
    [handler] = [h for h in logging.getLogger().handlers if isinstance(h.formatter, JsonFormatter)]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


@pytest.fixture
def all_logs(caplog, log_output):
    """Every record (django.request's 4xx too) and every formatted line, as one text."""
    with caplog.at_level(logging.DEBUG), caplog.at_level(logging.DEBUG, logger="django.request"):
        yield (
            lambda: caplog.text + "\n".join(repr(r.__dict__) for r in caplog.records) + log_output.getvalue()
        )


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_500_logs_neither_the_query_string_nor_its_values(all_logs, caplog):
    response = APIClient(raise_request_exception=False).get("/api/v1/_boom?search=Jane%20O'Brien&x=1")
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
    logged = all_logs()
    assert {"django.request", "config.errors", "config.requests"} <= {r.name for r in caplog.records}
    assert "/api/v1/_boom" in logged
    assert "Jane" not in logged
    assert "Brien" not in logged
    assert "search=" not in logged


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_500_on_a_feed_logs_no_token(all_logs, caplog):
    response = APIClient(raise_request_exception=False).get(f"/calendar/{FEED_TOKEN}.ics?search=Jane")
    assert response.status_code == 500
    logged = all_logs()
    assert "django.request" in {r.name for r in caplog.records}
    assert "/calendar/<token>.ics" in logged
    assert FEED_TOKEN not in logged
    assert "Jane" not in logged


@pytest.mark.django_db
def test_feed_requests_log_no_token(world, api, all_logs, caplog):
    url = api(world.doctor).get("/api/v1/calendar/feed").json()["url"].removeprefix("http://testserver")
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert APIClient().get(url).status_code == 200
    assert APIClient().get(f"/calendar/{FEED_TOKEN}.ics").status_code == 404
    logged = all_logs()
    assert [line.path for line in request_lines(caplog)][-2:] == ["/calendar/<token>.ics"] * 2
    assert "django.request" in {r.name for r in caplog.records}  # the 404's warning
    assert token not in logged
    assert FEED_TOKEN not in logged


@pytest.mark.django_db
def test_offer_answers_log_no_token(world, api, all_logs, caplog):
    offer = offered(world)
    assert answer(api, offer, "decline").status_code == 204
    assert api(None).post(f"/api/v1/waitlist/offers/{FEED_TOKEN}/accept").status_code == 410
    logged = all_logs()
    assert [line.path for line in request_lines(caplog)][-2:] == [
        "/api/v1/waitlist/offers/<token>/decline",
        "/api/v1/waitlist/offers/<token>/accept",
    ]
    assert "django.request" in {r.name for r in caplog.records}  # the 410's warning
    assert offer.token not in logged
    assert FEED_TOKEN not in logged


def test_the_development_server_logs_no_query_string_or_token(all_logs, caplog):
    handler = WSGIRequestHandler.__new__(WSGIRequestHandler)  # only its logging is used
    handler.request = None
    handler.log_message('"%s" %s %s', f"GET /calendar/{FEED_TOKEN}.ics?search=Jane HTTP/1.1", "500", "0")
    handler.log_message('"%s" %s %s', "GET /api/v1/clients/?search=Jane%20O'Brien HTTP/1.1", "404", "0")
    logged = all_logs()
    assert [r.getMessage() for r in caplog.records if r.name == "django.server"] == [
        '"GET /calendar/<token>.ics HTTP/1.1" 500 0',
        '"GET /api/v1/clients/ HTTP/1.1" 404 0',
    ]
    assert FEED_TOKEN not in logged
    assert "Jane" not in logged
    assert "Brien" not in logged


@pytest.mark.django_db(transaction=True)
def test_gunicorn_logs_no_query_string_or_token_even_with_its_access_log_on(tmp_path):
    output = tmp_path / "gunicorn.log"
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": child_database_url(),
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prometheus"),
        "GUNICORN_CMD_ARGS": "--access-logfile -",
    }
    base = f"http://127.0.0.1:{port}"
    with output.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi"],
            cwd=django_settings.BASE_DIR, env=env, stdout=sink, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            assert wait_until(lambda: _answers(f"{base}/health/live"), seconds=30)
            assert http_get(f"{base}/calendar/{FEED_TOKEN}.ics?search=Jane%20Doe")[0] == 404
            assert http_get(f"{base}/health/live?search=Jane%20O'Brien")[0] == 200
            assert http_get(f"{base}/api/v1/waitlist/offers/{FEED_TOKEN}/accept")[0] == 405  # POST only
        finally:
            process.terminate()
            process.wait(timeout=15)
    logged = output.read_text()
    access = [json.loads(line)["message"] for line in logged.splitlines() if '"gunicorn.access"' in line]
    assert any('"GET /calendar/<token>.ics HTTP/1.1" 404' in line for line in access)  # the access line
    assert '"path": "/calendar/<token>.ics"' in logged  # our own request line
    assert any('"GET /api/v1/waitlist/offers/<token>/accept HTTP/1.1" 405' in line for line in access)
    assert FEED_TOKEN not in logged
    assert "Jane" not in logged
    assert "Brien" not in logged
    assert "search=" not in logged
