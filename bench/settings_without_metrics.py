"""The project's settings minus the request metrics middleware: the baseline
of `python -m bench.metrics_cost`. Used by the benchmark only."""

from config.settings import *  # noqa: F403

MIDDLEWARE = [m for m in MIDDLEWARE if m != "config.request_metrics.RequestMetricsMiddleware"]  # noqa: F405
