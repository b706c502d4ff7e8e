import json
import logging

import pytest
from rest_framework.test import APIClient


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
