"""Production answers its own probes: a load balancer by IP, Prometheus by
service name, both over plain HTTP; every other path keeps the host check and
the HTTPS redirect. Run in a production-mode process with `.env.example`'s
ALLOWED_HOSTS, as deployed."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings

METRICS_TOKEN = "probe-test-metrics-token"

# (method, path, Host header, extra headers)
REQUESTS = [
    ("get", "/health", "10.0.3.7:8000", {}),
    ("head", "/health", "10.0.3.7:8000", {}),
    ("get", "/health/ready", "10.0.3.7:8000", {}),
    ("head", "/health/ready", "10.0.3.7:8000", {}),
    ("get", "/health/live", "10.0.3.7:8000", {}),
    ("head", "/health/live", "10.0.3.7:8000", {}),
    ("get", "/metrics", "web:8000", {"HTTP_AUTHORIZATION": f"Bearer {METRICS_TOKEN}"}),
    ("get", "/api/v1/auth/me", "10.0.3.7:8000", {}),
    ("get", "/health/live", "bad host!", {}),
    ("get", "/api/v1/auth/me", "localhost", {}),
]

SCRIPT = """
import json, sys
from django.test import Client
client = Client()
answers = []
for method, path, host, extra in json.loads(sys.argv[2]):
    response = getattr(client, method)(path, HTTP_HOST=host, **extra)
    answers.append({
        "status": response.status_code,
        "location": response.get("Location", ""),
        "body": response.content.decode()[:200],
    })
print(json.dumps(answers))
"""


def env_example_value(name: str) -> str:
    for line in (Path(settings.BASE_DIR) / ".env.example").read_text().splitlines():
        if line.startswith(f"{name}="):
            return line.split("=", 1)[1]
    raise AssertionError(f"{name} is not in .env.example")


@pytest.fixture(scope="module")
def answers():
    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "SECRET_KEY": "probe-test-" + Fernet.generate_key().decode(),
        "TOKEN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": env_example_value("ALLOWED_HOSTS"),
        "METRICS_TOKEN": METRICS_TOKEN,
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, django; django.setup(); exec(sys.argv[1])",
            SCRIPT,
            json.dumps(REQUESTS),
        ],
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_env_example_hosts_do_not_list_the_probes_addresses():
    assert "10.0.3.7" not in env_example_value("ALLOWED_HOSTS")
    assert "web" not in env_example_value("ALLOWED_HOSTS").split(",")


def test_load_balancer_probe_by_ip_over_http_is_answered(answers):
    health, _head, ready, _ready_head, live, _live_head = answers[:6]
    assert health["status"] == 200, health
    assert json.loads(health["body"]) == {"status": "ok", "checks": {"db": "ok", "redis": "ok"}}
    assert ready["status"] == 200, ready
    assert json.loads(ready["body"]) == {"status": "ok"}
    assert live["status"] == 200, live


def test_head_on_health_answers_like_get_without_a_body(answers):
    for get, head in (answers[0:2], answers[2:4], answers[4:6]):
        assert head["status"] == get["status"] == 200
        assert head["body"] == ""


def test_prometheus_scrape_by_service_name_over_http_is_answered(answers):
    scrape = answers[6]
    assert scrape["status"] == 200, scrape
    assert scrape["location"] == ""
    assert "clinic_" in scrape["body"] or "# HELP" in scrape["body"]


def test_other_paths_keep_the_host_check(answers):
    assert answers[7]["status"] == 400


def test_a_malformed_host_is_refused_even_on_a_probe(answers):
    assert answers[8]["status"] == 400


def test_other_paths_keep_the_https_redirect(answers):
    redirect = answers[9]
    assert redirect["status"] == 301
    assert redirect["location"].startswith("https://localhost/")
