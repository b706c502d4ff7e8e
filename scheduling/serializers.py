"""Shapes only: types and required fields. The rules live in services."""

from datetime import date, timedelta

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import User
from clinic.models import Client
from config.fields import IsoDateField, QueryIntegerField, StrictCharField, StrictURLField, WallClockTimeField
from config.representation import iso_datetime
from config.serializers import ModelSerializer
from scheduling.models import Appointment, TimeOff, WorkingHours
from scheduling.services import MAX_DURATION, MIN_DURATION


class AppointmentSerializer(ModelSerializer):
    class Meta:
        model = Appointment
        fields = [
            "id", "client", "doctor", "starts_at", "duration_minutes", "ends_at",
            "status", "reason", "notes", "cancel_reason", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def to_representation(self, appointment):
        """The Meta fields, built directly (config.representation says why)."""
        return {
            "id": appointment.pk,
            "client": appointment.client_id,
            "doctor": appointment.doctor_id,
            "starts_at": iso_datetime(appointment.starts_at),
            "duration_minutes": appointment.duration_minutes,
            "ends_at": iso_datetime(appointment.ends_at),
            "status": appointment.status,
            "reason": appointment.reason,
            "notes": appointment.notes,
            "cancel_reason": appointment.cancel_reason,
            "created_at": iso_datetime(appointment.created_at),
            "updated_at": iso_datetime(appointment.updated_at),
        }


@extend_schema_field(OpenApiTypes.INT)
class VisibleClientField(serializers.PrimaryKeyRelatedField):
    """Only clients the caller may see: a patient's own record, staff any active one.
    Another client's id is answered like an unknown one (400), so ids can't be probed."""

    default_error_messages = {"does_not_exist": "No such client.", "incorrect_type": "Must be a client id."}

    def get_queryset(self):
        return Client.objects.visible_to(self.context["request"].user)


class BookingSerializer(serializers.Serializer):
    client = VisibleClientField()
    doctor = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())
    starts_at = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField(min_value=MIN_DURATION, max_value=MAX_DURATION, default=30)
    reason = StrictCharField(max_length=500, allow_blank=True, required=False, default="")
    notes = StrictCharField(allow_blank=True, required=False, default="")


class CancelSerializer(serializers.Serializer):
    """The optional body of POST {id}/cancel."""

    reason = StrictCharField(max_length=500, allow_blank=True, required=False, default="")


class AppointmentChangeSerializer(serializers.Serializer):
    """Every field optional; a doctor may send only `notes`."""

    doctor = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False)
    starts_at = serializers.DateTimeField(required=False)
    duration_minutes = serializers.IntegerField(
        min_value=MIN_DURATION, max_value=MAX_DURATION, required=False
    )
    reason = StrictCharField(max_length=500, allow_blank=True, required=False)
    notes = StrictCharField(allow_blank=True, required=False)


class WorkingHoursSerializer(ModelSerializer):
    weekday = serializers.IntegerField(min_value=0, max_value=6)
    start = WallClockTimeField()
    end = WallClockTimeField()

    class Meta:
        model = WorkingHours
        fields = ["weekday", "start", "end"]


class TimeOffSerializer(ModelSerializer):
    class Meta:
        model = TimeOff
        fields = ["id", "doctor", "starts_at", "ends_at", "reason"]
        read_only_fields = ["id", "doctor"]


class SlotSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class AvailabilitySerializer(serializers.Serializer):
    doctor = serializers.IntegerField()
    date = serializers.DateField()
    slots = SlotSerializer(many=True)


# A day whose instants, less a visit's length and in any zone, stay representable.
EARLIEST_DAY, LATEST_DAY = date.min + timedelta(days=1), date.max - timedelta(days=1)


class AvailabilityQuerySerializer(serializers.Serializer):
    date = IsoDateField(help_text=f"YYYY-MM-DD, a day in TIME_ZONE, {EARLIEST_DAY} to {LATEST_DAY}")
    duration = QueryIntegerField(
        min_value=MIN_DURATION, max_value=MAX_DURATION, default=30, help_text="minutes; also the step"
    )

    def validate_date(self, day):
        if not EARLIEST_DAY <= day <= LATEST_DAY:
            raise serializers.ValidationError(f"Enter a date from {EARLIEST_DAY} to {LATEST_DAY}.")
        return day


class CalendarFeedSerializer(serializers.Serializer):
    url = StrictURLField()
