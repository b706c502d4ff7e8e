"""Shapes only: types and required fields. The rules live in services."""

from datetime import date, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import User
from clinic.models import Client
from config.fields import (
    MAX_ID,
    IsoDateField,
    QueryIntegerField,
    StrictCharField,
    StrictPrimaryKeyRelatedField,
    StrictURLField,
    WallClockTimeField,
)
from config.representation import iso_datetime
from config.serializers import ModelSerializer
from scheduling import selectors
from scheduling.models import Appointment, AppointmentType, Room, TimeOff, WorkingHours
from scheduling.services import DEFAULT_DURATION, MAX_DURATION, MIN_DURATION


class AppointmentSerializer(ModelSerializer):
    class Meta:
        model = Appointment
        fields = [
            "id", "client", "doctor", "starts_at", "duration_minutes", "ends_at", "appointment_type",
            "room", "status", "reason", "notes", "cancel_reason", "created_at", "updated_at", "series",
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
            "appointment_type": appointment.appointment_type_id,
            "room": appointment.room_id,
            "status": appointment.status,
            "reason": appointment.reason,
            "notes": appointment.notes,
            "cancel_reason": appointment.cancel_reason,
            "created_at": iso_datetime(appointment.created_at),
            "updated_at": iso_datetime(appointment.updated_at),
            "series": appointment.series_id,
        }


@extend_schema_field(OpenApiTypes.INT)
class VisibleClientField(serializers.PrimaryKeyRelatedField):
    """Only clients the caller may see: a patient's own record, staff any active one.
    Another client's id is answered like an unknown one (400), so ids can't be probed."""

    default_error_messages = {
        "does_not_exist": gettext_lazy("No such client."),
        "incorrect_type": gettext_lazy("Must be a client id."),
    }

    def get_queryset(self):
        return Client.objects.visible_to(self.context["request"].user)


class AppointmentTypeSerializer(ModelSerializer):
    class Meta:
        model = AppointmentType
        fields = [
            "id", "name", "duration_minutes", "buffer_before_minutes", "buffer_after_minutes",
            "color", "patient_bookable", "requires_room", "active",
        ]  # fmt: skip


class RoomSerializer(ModelSerializer):
    class Meta:
        model = Room
        fields = ["id", "name", "active"]


@extend_schema_field(OpenApiTypes.INT)
class ActiveTypeField(StrictPrimaryKeyRelatedField):
    """A visit type that is not archived, by id, or null."""

    default_error_messages = {
        "does_not_exist": gettext_lazy("No such visit type, or it is archived."),
        "incorrect_type": gettext_lazy("Must be a visit type id."),
    }

    def get_queryset(self):
        return selectors.active_appointment_types()


@extend_schema_field(OpenApiTypes.INT)
class ActiveRoomField(StrictPrimaryKeyRelatedField):
    """A room that is not archived, by id, or null."""

    default_error_messages = {
        "does_not_exist": gettext_lazy("No such room, or it is archived."),
        "incorrect_type": gettext_lazy("Must be a room id."),
    }

    def get_queryset(self):
        return selectors.active_rooms()


class BookingSerializer(serializers.Serializer):
    client = VisibleClientField()
    doctor = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())
    starts_at = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField(
        min_value=MIN_DURATION,
        max_value=MAX_DURATION,
        required=False,
        help_text=f"Default: the visit type's, else {DEFAULT_DURATION}.",
    )
    appointment_type = ActiveTypeField(required=False, allow_null=True, default=None)
    room = ActiveRoomField(required=False, allow_null=True, default=None)
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
        min_value=MIN_DURATION,
        max_value=MAX_DURATION,
        required=False,
        help_text="Default with a new `appointment_type`: its duration.",
    )
    appointment_type = ActiveTypeField(required=False, allow_null=True)
    room = ActiveRoomField(required=False, allow_null=True)
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
        min_value=MIN_DURATION,
        max_value=MAX_DURATION,
        default=DEFAULT_DURATION,
        help_text="minutes; also the step; with `type` and without `duration`, the type's",
    )
    type = QueryIntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        help_text="a visit type's id: its duration (unless `duration` is given) and buffers",
    )
    room = QueryIntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text="a room's id: only times it is free"
    )

    def validate_date(self, day):
        if not EARLIEST_DAY <= day <= LATEST_DAY:
            raise serializers.ValidationError(
                _("Enter a date from %(first)s to %(last)s.") % {"first": EARLIEST_DAY, "last": LATEST_DAY}
            )
        return day

    def validate_type(self, pk):
        if (visit_type := selectors.active_appointment_types().filter(pk=pk).first()) is None:
            raise serializers.ValidationError(_("No such visit type, or it is archived."))
        return visit_type

    def validate_room(self, pk):
        if (room := selectors.active_rooms().filter(pk=pk).first()) is None:
            raise serializers.ValidationError(_("No such room, or it is archived."))
        return room

    def validate(self, attrs):
        visit_type = attrs.get("type")
        if visit_type is not None and "duration" not in self.initial_data:
            attrs["duration"] = visit_type.duration_minutes
        return attrs


class CalendarFeedSerializer(serializers.Serializer):
    url = StrictURLField()
