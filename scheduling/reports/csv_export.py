"""The report as CSV: a header row, then one row per doctor and period, the
columns of the JSON answer with `appointments` spread into one per status."""

import csv
import io

from rest_framework.renderers import BaseRenderer

from scheduling.reports.serializers import row_data
from scheduling.reports.utilization import STATUSES, Report

HEADER = [
    "doctor", "period_start", "period_end", "working_minutes", "booked_minutes", "utilization",
    *(f"appointments_{status}" for status in STATUSES),
    "no_show_rate", "cancellation_rate", "median_lead_time_hours",
]  # fmt: skip


def report_csv(report: Report) -> str:
    """An empty cell where the JSON has null (no median without appointments)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in report.rows:
        data = row_data(row)
        counts = data.pop("appointments")
        data.update({f"appointments_{status}": count for status, count in counts.items()})
        writer.writerow(["" if data[name] is None else data[name] for name in HEADER])
    return out.getvalue()


def filename(report: Report) -> str:
    return f"utilization-{report.first.isoformat()}-{report.last.isoformat()}-{report.group}.csv"


class CsvRenderer(BaseRenderer):
    """Passes through the text `report_csv` made (DRF's content negotiation: `Accept: text/csv`)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data.encode(self.charset)
