"""`/metrics` for Prometheus (API.md, "Operations").

django-prometheus counts requests, latency, database and cache use; under
gunicorn every worker writes to PROMETHEUS_MULTIPROC_DIR and a scrape sums
them. The clinic's own gauges are computed at scrape time, from one query
and a few Redis reads, and vanish (the scrape still answers) when their
database or Redis is down; apps add theirs with `register`.
"""

import hmac
import logging
import os

import prometheus_client
from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from prometheus_client import multiprocess
from prometheus_client.core import GaugeMetricFamily

from config import queue_health, replicas

logger = logging.getLogger(__name__)


class QueueCollector:
    """RQ gauges gathered on each scrape: jobs by state, workers seen, scheduler
    heartbeat age (a few Redis reads). The apps add their own collectors
    (`register`): scheduling's reminders by status (scheduling/reminders/metrics.py)."""

    def collect(self):
        try:
            snapshot = queue_health.snapshot()
        except Exception:  # Redis unreachable: the RQ gauges are absent, the scrape still answers
            logger.warning("metrics: queue state unavailable")
            return
        jobs = GaugeMetricFamily("clinic_rq_jobs", "RQ jobs by queue and state", labels=["queue", "state"])
        for queue, states in snapshot.jobs.items():
            for state, count in states.items():
                jobs.add_metric([queue, state], count)
        yield jobs
        yield GaugeMetricFamily("clinic_rq_workers", "RQ workers seen recently", value=snapshot.workers)
        if snapshot.scheduler_age is not None:
            yield GaugeMetricFamily(
                "clinic_rq_scheduler_heartbeat_age_seconds",
                "Seconds since the RQ scheduler last reported",
                value=snapshot.scheduler_age,
            )


def _registry() -> prometheus_client.CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return prometheus_client.REGISTRY


_clinic_registry = prometheus_client.CollectorRegistry(auto_describe=False)
_clinic_registry.register(QueueCollector())
_clinic_registry.register(replicas.LagCollector())


def register(collector) -> None:
    """Add an app's scrape-time gauges to `/metrics`: an object whose `collect()`
    yields metric families and copes with its own outages (the scrape still
    answers). An app calls it from its AppConfig.ready; config imports no app."""
    _clinic_registry.register(collector)


def _authorized(request) -> bool:
    given = request.headers.get("Authorization", "")
    expected = f"Bearer {settings.METRICS_TOKEN}"
    return hmac.compare_digest(given.encode(), expected.encode())


@never_cache
def metrics(request):
    if not settings.METRICS_TOKEN:
        raise Http404
    if not _authorized(request):
        response = HttpResponse("unauthorized\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    body = prometheus_client.generate_latest(_registry()) + prometheus_client.generate_latest(
        _clinic_registry
    )
    return HttpResponse(body, content_type=prometheus_client.CONTENT_TYPE_LATEST)
