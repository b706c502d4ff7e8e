"""The reminder gauges on `/metrics` (API.md, "Operations"): registered with
config.metrics by SchedulingConfig.ready, computed at scrape time."""

import logging

from django.db import DatabaseError
from prometheus_client.core import GaugeMetricFamily

from scheduling.selectors import reminder_counts

logger = logging.getLogger(__name__)


class ReminderCollector:
    """Reminders by status, from one query on each scrape."""

    def collect(self):
        try:
            counts = reminder_counts()
        except DatabaseError:  # the database is down: the gauge is absent, the scrape still answers
            logger.warning("metrics: reminder counts unavailable")
            return
        gauge = GaugeMetricFamily("clinic_reminders", "Reminders by status", labels=["status"])
        for status, count in counts.items():
            gauge.add_metric([status], count)
        yield gauge
