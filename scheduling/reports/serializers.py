"""The report's query (strict: each parameter once, never empty) and its answer's shape."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.fields import ID_SCHEMA, IsoDateField, StrictCharField, StrictChoiceField, parse_id
from scheduling.reports.utilization import DAY, GROUPS, STATUSES, Report, Row
from scheduling.serializers import EARLIEST_DAY, LATEST_DAY


class FromFieldMixin:
    """`from` is a Python keyword: the field is declared as `from_` and named `from` here."""

    def get_fields(self):
        fields = super().get_fields()
        return {"from": fields.pop("from_"), **fields}


@extend_schema_field(ID_SCHEMA)
class QueryIdField(serializers.Field):
    default_error_messages = {"invalid": gettext_lazy("Must be an id: a whole number from 1 to 2147483647.")}

    def to_internal_value(self, data):
        parsed = parse_id(data) if isinstance(data, str) else None
        if parsed is None:
            self.fail("invalid")
        return parsed


class ReportDateField(IsoDateField):
    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        if not EARLIEST_DAY <= day <= LATEST_DAY:
            raise serializers.ValidationError(
                _("Enter a date from %(first)s to %(last)s.") % {"first": EARLIEST_DAY, "last": LATEST_DAY}
            )
        return day


class UtilizationQuerySerializer(FromFieldMixin, serializers.Serializer):
    from_ = ReportDateField(help_text="YYYY-MM-DD, the first local day in TIME_ZONE")
    to = ReportDateField(help_text="YYYY-MM-DD, the last local day in TIME_ZONE (included)")
    doctor = QueryIdField(required=False, help_text="one doctor; a doctor may name only themselves")
    group = StrictChoiceField(choices=GROUPS, default=DAY, help_text="periods: local days or ISO weeks")

    def to_internal_value(self, data):
        repeated = {
            name: [_("Give this parameter once.")] for name in self.fields if len(data.getlist(name)) > 1
        }
        if repeated:
            raise serializers.ValidationError(repeated)
        return super().to_internal_value(data)


UtilizationAppointmentsSerializer = type(
    "UtilizationAppointmentsSerializer",
    (serializers.Serializer,),
    {
        "__doc__": "How many of the period's appointments are in each status (every status a key).",
        **{status: serializers.IntegerField(min_value=0) for status in STATUSES},
    },
)


class UtilizationRowSerializer(serializers.Serializer):
    doctor = serializers.IntegerField()
    period_start = serializers.DateField()
    period_end = serializers.DateField(help_text="included")
    working_minutes = serializers.IntegerField(min_value=0)
    booked_minutes = serializers.IntegerField(min_value=0)
    utilization = serializers.FloatField(min_value=0, max_value=1)
    appointments = UtilizationAppointmentsSerializer()
    no_show_rate = serializers.FloatField(min_value=0, max_value=1)
    cancellation_rate = serializers.FloatField(min_value=0, max_value=1)
    median_lead_time_hours = serializers.FloatField(allow_null=True)


class UtilizationReportSerializer(FromFieldMixin, serializers.Serializer):
    from_ = serializers.DateField()
    to = serializers.DateField()
    group = serializers.ChoiceField(choices=GROUPS)
    time_zone = StrictCharField(help_text="TIME_ZONE: the zone of every date here")
    results = UtilizationRowSerializer(many=True)


def row_data(row: Row) -> dict:
    """UtilizationRowSerializer's shape, built directly (config.representation says why)."""
    return {
        "doctor": row.doctor,
        "period_start": row.period_start.isoformat(),
        "period_end": row.period_end.isoformat(),
        "working_minutes": row.working_minutes,
        "booked_minutes": row.booked_minutes,
        "utilization": row.utilization,
        "appointments": dict(row.appointments),
        "no_show_rate": row.no_show_rate,
        "cancellation_rate": row.cancellation_rate,
        "median_lead_time_hours": row.median_lead_time_hours,
    }


def report_data(report: Report) -> dict:
    return {
        "from": report.first.isoformat(),
        "to": report.last.isoformat(),
        "group": report.group,
        "time_zone": report.time_zone,
        "results": [row_data(row) for row in report.rows],
    }
