"""Proxy/TLS behaviour, CORS, API docs and the compose file."""

import json
import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings


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


def compose_file() -> dict:
    return yaml.safe_load((Path(settings.BASE_DIR) / "docker-compose.yml").read_text())


def proxy_directives() -> str:
    """deploy/nginx.conf without its comments."""
    text = (Path(settings.BASE_DIR) / "deploy" / "nginx.conf").read_text()
    return "\n".join(line.split("#", 1)[0] for line in text.splitlines())


def test_compose_file_defines_the_stack():
    compose = compose_file()
    services = compose["services"]
    assert {"postgres", "redis", "migrate", "web", "proxy", "worker"} <= services.keys()
    assert "--with-scheduler" in " ".join(services["worker"]["command"])
    assert services["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    for name in ("postgres", "redis", "web", "proxy", "worker"):
        assert "healthcheck" in services[name], name
    assert {"pgdata", "redisdata", "media"} <= compose["volumes"].keys()


def test_only_the_proxy_is_published_and_web_trusts_that_one_proxy():
    services = compose_file()["services"]
    published = {
        name for name, service in services.items() if "ports" in service and "profiles" not in service
    }
    assert published == {"proxy"}
    proxy, web = services["proxy"], services["web"]
    assert proxy["image"] == "nginx:1.27-alpine"
    assert proxy["ports"] == ["8000:80"]
    assert "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in proxy["volumes"]
    assert proxy["depends_on"]["web"]["condition"] == "service_healthy"
    assert "ports" not in web
    assert web["environment"]["TRUSTED_PROXY_COUNT"] == "1"


def test_the_proxy_forwards_what_the_app_reads_to_web():
    conf = proxy_directives()
    assert re.search(r"^\s*server web:8000;", conf, re.MULTILINE)
    assert "proxy_pass http://clinic_web;" in conf
    for header, value in [
        ("X-Forwarded-For", "$proxy_add_x_forwarded_for"),  # the hop TRUSTED_PROXY_COUNT=1 reads
        ("X-Forwarded-Proto", "$scheme"),  # set here, never the client's
        ("X-Request-ID", "$clinic_request_id"),
        ("Idempotency-Key", "$http_idempotency_key"),
        ("Host", "$host"),
    ]:
        assert f"proxy_set_header {header} {value};" in conf, header


def test_the_proxy_takes_the_largest_document_and_answers_above_it_in_json():
    conf = proxy_directives()
    [limit_mb] = re.findall(r"client_max_body_size (\d+)m;", conf)
    env_example = (Path(settings.BASE_DIR) / ".env.example").read_text()
    [documented_mb] = re.findall(r"^DOCUMENT_MAX_MB=(\d+)$", env_example, re.MULTILINE)
    assert int(limit_mb) > max(settings.DOCUMENT_MAX_MB, int(documented_mb))  # room for the form
    assert "error_page 413 = @too_large;" in conf
    [body] = re.findall(r"return 413 '(.+)';", conf)
    assert json.loads(body)["code"] == "file_too_large"


def test_the_proxy_logs_no_query_string_or_feed_token():
    conf = proxy_directives()
    [log_format] = re.findall(r"log_format clinic (.+?);", conf, re.DOTALL)
    for variable in ("$request ", '$request"', "$request_uri", "$args", "$query_string", "$http_referer"):
        assert variable not in log_format, variable
    assert "$clinic_loggable_uri" in log_format
    assert "~^/calendar/[^/]+\\.ics$ /calendar/<token>.ics;" in conf
    for verb in ("accept", "decline"):
        assert f"~^/api/v1/waitlist/offers/[^/]+/{verb}$ /api/v1/waitlist/offers/<token>/{verb};" in conf
    assert re.search(r"^\s*access_log /dev/stdout clinic;", conf, re.MULTILINE)
    assert re.search(r"^\s*error_log /dev/stderr crit;", conf, re.MULTILINE)


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
        "DEFAULT_FROM_EMAIL", "MFA_RATE", "MFA_REQUIRED_ROLES", "MFA_ISSUER", "LANGUAGE_CODE",
        "WAITLIST_HOLD_MINUTES", "OFFER_ANSWER_RATE",
    }  # fmt: skip
    assert contract <= names, contract - names


def test_api_answers_are_not_stored_by_browsers_or_proxies(client):
    assert client.get("/api/v1/no-such-thing").headers["Cache-Control"] == "no-store"


LONG_RUNNING = ("postgres", "redis", "web", "proxy", "worker", "prometheus", "grafana")
APP_SECRETS = (
    "SECRET_KEY",
    "TOKEN_ENCRYPTION_KEYS",
    "FIELD_ENCRYPTION_KEYS",
    "METRICS_TOKEN",
    "DATABASE_PASSWORD",
)


def test_compose_runs_for_production_restarts_limits_and_rotated_logs():
    services = compose_file()["services"]
    assert services["migrate"]["restart"].startswith("on-failure")
    for name in LONG_RUNNING:
        service = services[name]
        assert service["restart"] == "unless-stopped", name
        limits = service["deploy"]["resources"]["limits"]
        assert limits["memory"] and float(limits["cpus"]) > 0, name
        assert service["logging"] == {
            "driver": "json-file",
            "options": {"max-size": "10m", "max-file": "5"},
        }, name


def test_compose_hands_secrets_over_as_files_never_in_the_environment():
    compose = compose_file()
    services = compose["services"]
    for name in ("migrate", "web", "worker"):
        environment = services[name]["environment"]
        for secret in APP_SECRETS:
            assert secret not in environment, (name, secret)
            path = environment[f"{secret}_FILE"]
            assert (
                path.startswith("/run/secrets/")
                and path.removeprefix("/run/secrets/") in services[name]["secrets"]
            )
        user_part = environment["DATABASE_URL"].split("//", 1)[1].split("@")[0]
        assert ":" not in user_part  # no password in the URL
    assert services["postgres"]["environment"]["POSTGRES_PASSWORD_FILE"] == "/run/secrets/postgres_password"
    assert all(spec["file"].startswith("./secrets/") for spec in compose["secrets"].values())
    assert "POSTGRES_PASSWORD" not in (Path(settings.BASE_DIR) / "docker-compose.yml").read_text().replace(
        "POSTGRES_PASSWORD_FILE", ""
    )


def test_only_the_proxy_listens_beyond_the_hosts_loopback():
    for name, service in compose_file()["services"].items():
        for mapping in service.get("ports", []):
            # proxy-scale: the same nginx, in front of the scale profile's HAProxy
            assert name in ("proxy", "proxy-scale") or mapping.startswith("127.0.0.1:"), (name, mapping)


def test_the_image_is_pinned_binds_every_interface_and_gives_the_app_user_its_media_folder():
    text = (Path(settings.BASE_DIR) / "Dockerfile").read_text()
    [base] = re.findall(r"^FROM (\S+)", text, re.MULTILINE)
    assert re.fullmatch(r"python:3\.11[\w.-]*@sha256:[0-9a-f]{64}", base)
    assert "GUNICORN_BIND=0.0.0.0:8000" in text and "MEDIA_ROOT=/media" in text
    assert "chown clinic:clinic /media" in text
    assert "secrets" in (Path(settings.BASE_DIR) / ".dockerignore").read_text().split()
