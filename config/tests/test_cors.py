"""CORS for browser frontends (API.md, "Conventions"): the contract's request
headers are allowed, its response headers readable, local dev servers on any
port allowed outside production, and /health answers cross-origin too."""

import json

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import PASSWORD
from config.tests.live import REAL, run_django

pytestmark = pytest.mark.django_db

APP = "http://localhost:3000"
CONTRACT_HEADERS = "authorization,content-type,idempotency-key,x-request-id"


def preflight(origin: str, path: str = "/api/v1/appointments/", headers: str = CONTRACT_HEADERS):
    return APIClient().options(
        path,
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS=headers,
    )


def listed(response, header: str) -> set[str]:
    return {name.strip().lower() for name in response.get(header, "").split(",") if name.strip()}


def test_preflight_allows_the_idempotency_key_and_request_id_headers():
    response = preflight(APP)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == APP
    assert "POST" in response["Access-Control-Allow-Methods"]
    assert set(CONTRACT_HEADERS.split(",")) <= listed(response, "Access-Control-Allow-Headers")


def test_answers_expose_retry_after_request_id_and_content_disposition(world, api):
    response = api(world.staff).get("/api/v1/appointments/", HTTP_ORIGIN=APP)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == APP
    exposed = listed(response, "Access-Control-Expose-Headers")
    assert {"retry-after", "x-request-id", "content-disposition"} <= exposed
    assert response["X-Request-ID"]


def test_a_throttled_login_shows_its_retry_after_to_the_browser(world, settings):
    settings.LOGIN_RATE = "1/m"
    body = {"username": world.patient.username, "password": PASSWORD}
    client = APIClient()
    assert client.post("/api/v1/auth/login", body, HTTP_ORIGIN=APP).status_code == 200
    response = client.post("/api/v1/auth/login", body, HTTP_ORIGIN=APP)
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert int(response["Retry-After"]) > 0
    assert response["Access-Control-Allow-Origin"] == APP
    assert "retry-after" in listed(response, "Access-Control-Expose-Headers")


@pytest.mark.parametrize(
    "origin", ["http://127.0.0.1:3000", "http://localhost:5173", "http://127.0.0.1:8080", "http://localhost"]
)
def test_a_local_dev_server_on_any_port_is_allowed_outside_production(origin):
    response = preflight(origin)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == origin


@pytest.mark.parametrize(
    "origin", ["https://evil.example", "http://localhost.evil.example", "http://127.0.0.1.evil.example:3000"]
)
def test_other_origins_are_refused(origin):
    response = preflight(origin)
    assert "Access-Control-Allow-Origin" not in response


@pytest.mark.parametrize("path", ["/health", "/health/live", "/api"])
def test_paths_without_a_trailing_slash_answer_cross_origin(path):
    response = APIClient().get(path, HTTP_ORIGIN=APP)
    assert response["Access-Control-Allow-Origin"] == APP
    assert preflight(APP, path=path)["Access-Control-Allow-Origin"] == APP


def test_production_allows_only_its_listed_origins():
    probe = (
        "import json; from django.conf import settings; from django.test import Client; "
        "from corsheaders.conf import conf; "
        "answers = {o: Client().options('/api/v1/appointments/', secure=True, "
        "HTTP_HOST='clinic.example.org', HTTP_ORIGIN=o, HTTP_ACCESS_CONTROL_REQUEST_METHOD='POST')"
        ".get('access-control-allow-origin') for o in "
        "('https://app.example.org', 'http://127.0.0.1:3000', 'http://localhost:3000')}; "
        "print(json.dumps({'regexes': conf.CORS_ALLOWED_ORIGIN_REGEXES, 'answers': answers}))"
    )
    result = run_django({**REAL, "CORS_ALLOWED_ORIGINS": "https://app.example.org"}, "shell", "-c", probe)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["regexes"] == []
    assert seen["answers"] == {
        "https://app.example.org": "https://app.example.org",
        "http://127.0.0.1:3000": None,
        "http://localhost:3000": None,
    }
