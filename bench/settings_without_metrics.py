"""The project's settings minus django-prometheus's middleware: the baseline
of `python -m bench.metrics_cost`. Used by the benchmark only."""

from config.settings import *  # noqa: F403

MIDDLEWARE = [m for m in MIDDLEWARE if not m.startswith("django_prometheus.")]  # noqa: F405
