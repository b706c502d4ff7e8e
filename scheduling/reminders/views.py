"""GET /api/v1/appointments/{id}/reminders: a plain JSON array (API.md)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView

from accounts.permissions import IsClinician
from config.fields import StrictCharField
from config.serializers import ModelSerializer
from scheduling.models import Appointment, Reminder


class ReminderSerializer(ModelSerializer):
    kind = StrictCharField(
        read_only=True,
        help_text='How long before the start it is sent, in minutes with an "m": "1440m", "120m" '
        "(one per entry of REMINDER_OFFSETS_MINUTES).",
    )

    class Meta:
        model = Reminder
        fields = ["kind", "scheduled_for", "status", "sent_at"]


@extend_schema(tags=["appointments"], summary="An appointment's reminders")
class AppointmentRemindersView(ListAPIView):
    """Admin and staff: any appointment; a doctor: their own (else 404); patients: 403."""

    permission_classes = [IsClinician]
    serializer_class = ReminderSerializer
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Reminder.objects.none()
        visible = Appointment.objects.visible_to(self.request.user)
        appointment = get_object_or_404(visible, pk=self.kwargs["pk"])
        return appointment.reminders.order_by("scheduled_for", "id")
