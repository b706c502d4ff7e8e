"""Proxy/TLS behaviour, CORS, API docs and the compose file."""

from pathlib import Path

import pytest
import yaml
from django.conf import settings
from rest_framework.test import APIClient


@pytest.fixture
def client():
    return APIClient()


@pytest.fixture
def production_tls(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^health"]
    settings.SECURE_HSTS_SECONDS = 31536000


def test_plain_http_is_redirected_to_https(client, production_tls):
    response = client.get("/api/schema/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_behind_tls_proxy_serves_normally_with_hsts(client, production_tls):
    response = client.get("/health/live", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_health_probes_are_exempt_from_the_https_redirect(client, production_tls):
    assert client.get("/health/live").status_code == 200


def test_cors_allows_configured_origin(client):
    origin = settings.CORS_ALLOWED_ORIGINS[0]
    response = client.get("/health/live", HTTP_ORIGIN=origin)
    assert response["Access-Control-Allow-Origin"] == origin


def test_cors_gives_a_hostile_origin_no_allow_headers(client):
    response = client.options(
        "/api/v1/auth/login", HTTP_ORIGIN="https://evil.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST"
    )
    assert "Access-Control-Allow-Origin" not in response


@pytest.mark.parametrize("url", ["/api/schema/", "/api/docs/", "/api/redoc/"])
def test_api_docs_answer(client, url):
    assert client.get(url).status_code == 200


def test_schema_is_openapi_3(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.json()["openapi"].startswith("3.")


def test_compose_file_defines_the_stack():
    compose = yaml.safe_load((Path(settings.BASE_DIR) / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "migrate", "web", "worker"} <= services.keys()
    assert "--with-scheduler" in " ".join(services["worker"]["command"])
    assert services["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    for name in ("postgres", "redis", "web", "worker"):
        assert "healthcheck" in services[name], name
    assert {"pgdata", "redisdata", "media"} <= compose["volumes"].keys()


def test_env_example_lists_every_contract_variable():
    text = (Path(settings.BASE_DIR) / ".env.example").read_text()
    names = {line.split("=")[0].lstrip("# ").strip() for line in text.splitlines() if "=" in line}
    contract = {
        "PORT", "DJANGO_ENV", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "TOKEN_ENCRYPTION_KEYS",
        "FIELD_ENCRYPTION_KEYS", "ACCESS_TOKEN_MINUTES", "REFRESH_TOKEN_DAYS", "ALLOWED_HOSTS",
        "CORS_ALLOWED_ORIGINS", "CSRF_TRUSTED_ORIGINS", "ALLOW_REGISTRATION", "FRONTEND_URL",
        "LOGIN_RATE", "LOGIN_IP_RATE", "TRUSTED_PROXY_COUNT", "TIME_ZONE", "REMINDER_OFFSETS_MINUTES",
        "PATIENT_CANCEL_HOURS", "MEDIA_ROOT", "DOCUMENT_MAX_MB", "DOCUMENTS_S3_BUCKET", "METRICS_TOKEN",
        "SENTRY_DSN", "SENTRY_ENVIRONMENT", "SENTRY_TRACES_SAMPLE_RATE", "EMAIL_BACKEND", "EMAIL_FILE_PATH",
        "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "EMAIL_USE_TLS",
        "DEFAULT_FROM_EMAIL",
    }  # fmt: skip
    assert contract <= names, contract - names


def test_api_answers_are_not_stored_by_browsers_or_proxies(client):
    assert client.get("/api/v1/no-such-thing").headers["Cache-Control"] == "no-store"
