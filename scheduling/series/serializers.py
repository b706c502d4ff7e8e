"""Shapes of the series endpoints; the rules live in scheduling.series.services."""

import re
from datetime import time

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import User
from config.fields import StrictCharField
from config.representation import iso_datetime
from config.serializers import ModelSerializer
from scheduling.selectors import local_moment
from scheduling.serializers import (
    ActiveRoomField,
    ActiveTypeField,
    AppointmentSerializer,
    VisibleClientField,
)
from scheduling.series.models import AppointmentSeries
from scheduling.services import DEFAULT_DURATION, MAX_DURATION, MIN_DURATION

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class SeriesRequestSerializer(serializers.Serializer):
    client = VisibleClientField()
    doctor = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())
    starts_at = serializers.DateTimeField(
        help_text="The first visit; its local time of day is every visit's."
    )
    duration_minutes = serializers.IntegerField(
        min_value=MIN_DURATION,
        max_value=MAX_DURATION,
        required=False,
        help_text=f"Default: the visit type's, else {DEFAULT_DURATION}.",
    )
    appointment_type = ActiveTypeField(required=False, allow_null=True, default=None)
    room = ActiveRoomField(required=False, allow_null=True, default=None)
    rrule = StrictCharField(
        max_length=200,
        help_text="RFC 5545: FREQ=DAILY|WEEKLY|MONTHLY, INTERVAL, COUNT or UNTIL, BYDAY; at most 52 visits.",
    )
    reason = StrictCharField(max_length=500, allow_blank=True, required=False, default="")


class SeriesSerializer(ModelSerializer):
    appointments = AppointmentSerializer(many=True, read_only=True)

    class Meta:
        model = AppointmentSeries
        fields = ["id", "client", "doctor", "rrule", "created_at", "appointments"]
        read_only_fields = fields

    def to_representation(self, series):
        """Built directly, as AppointmentSerializer is; the visits in order."""
        return {
            "id": series.pk,
            "client": series.client_id,
            "doctor": series.doctor_id,
            "rrule": series.rrule,
            "created_at": iso_datetime(series.created_at),
            "appointments": [AppointmentSerializer(visit).data for visit in series.appointments.all()],
        }


@extend_schema_field({"type": "string", "description": "a date-time with its offset, or YYYY-MM-DD"})
class SinceField(serializers.DateTimeField):
    """A moment, or a date: that day's start in the clinic's zone."""

    def to_internal_value(self, value):
        if isinstance(value, str) and ISO_DATE.fullmatch(value):
            day = serializers.DateField().to_internal_value(value)
            return local_moment(day, time.min)
        return super().to_internal_value(value)


class SeriesCancelSerializer(serializers.Serializer):
    """The optional body of POST {id}/cancel: `{"from": ...}` (default: now)."""

    def get_fields(self):
        # `from` is a Python keyword: declared here rather than as an attribute.
        return {"from": SinceField(required=False, help_text="Cancel the visits from then on.")}
