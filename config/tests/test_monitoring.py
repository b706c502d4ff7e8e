"""The monitoring profile parses, and the dashboard asks only for metrics /metrics exposes."""

import json
import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from rest_framework.test import APIClient

from config.tests.live import rq_worker, wait_until

ROOT = Path(settings.BASE_DIR)
DASHBOARD = ROOT / "monitoring" / "grafana" / "dashboards" / "clinic.json"
PROMQL_FUNCTIONS = {"sum", "rate", "delta", "histogram_quantile", "by", "le"}


def test_monitoring_profile_runs_prometheus_and_grafana_with_the_dashboard():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    for name in ("prometheus", "grafana"):
        assert services[name]["profiles"] == ["monitoring"]
    mounts = " ".join(services["grafana"]["volumes"])
    assert "./monitoring/grafana/dashboards" in mounts and "./monitoring/grafana/provisioning" in mounts
    scrape = yaml.safe_load((ROOT / "monitoring" / "prometheus.yml").read_text())["scrape_configs"][0]
    assert scrape["metrics_path"] == "/metrics"
    assert scrape["authorization"]["type"] == "Bearer"


def dashboard_metrics() -> set[str]:
    panels = json.loads(DASHBOARD.read_text())["panels"]
    names = set()
    for target in (t for panel in panels for t in panel["targets"]):
        expr = re.sub(r'\{[^}]*\}|"[^"]*"|\[[^\]]*\]', "", target["expr"])  # drop matchers, strings, ranges
        names |= {
            word for word in re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", expr) if word not in PROMQL_FUNCTIONS
        }
    return {name for name in names if not name.isdigit() and name not in {"view", "state"}}


@pytest.mark.django_db(transaction=True)
def test_every_metric_the_dashboard_queries_is_exposed(settings):
    settings.METRICS_TOKEN = "dashboard-test"
    client = APIClient()
    client.get("/health")  # one request, so the request families have samples
    with rq_worker():  # the scheduler's heartbeat gauge exists only while a scheduler runs
        assert wait_until(lambda: client.get("/health/queue").status_code == 200, seconds=30)
        text = client.get("/metrics", HTTP_AUTHORIZATION="Bearer dashboard-test").content.decode()
    exposed = set(re.findall(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]", text, re.MULTILINE))
    wanted = dashboard_metrics()
    assert {"clinic_reminders", "clinic_rq_jobs", "clinic_rq_workers"} <= wanted
    assert wanted <= exposed, wanted - exposed
