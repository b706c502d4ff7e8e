"""`/api/v1/appointments/`: thin views over scheduling.services."""

from django.http import HttpResponse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from scheduling import cache, services
from scheduling.filters import AppointmentFilter
from scheduling.idempotency import idempotent
from scheduling.models import Appointment
from scheduling.permissions import AppointmentPermission, appointment_fields_editable_by
from scheduling.serializers import (
    AppointmentChangeSerializer,
    AppointmentSerializer,
    BookingSerializer,
    CancelSerializer,
)

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER, description="Replays the first answer for 24 h."
)
READ_ONLY_FIELDS = ("id", "client", "status", "ends_at", "cancel_reason", "created_at", "updated_at")


# The status actions: POST {id}/<verb>, one transition of the status flow each,
# answered with the whole Appointment; replayed under an Idempotency-Key.
status_action_schema = extend_schema(
    request=None, responses=AppointmentSerializer, parameters=[IDEMPOTENCY_KEY]
)


@method_decorator(
    name="create", decorator=extend_schema(request=BookingSerializer, parameters=[IDEMPOTENCY_KEY])
)
@method_decorator(name="partial_update", decorator=extend_schema(request=AppointmentChangeSerializer))
class AppointmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = AppointmentSerializer
    permission_classes = [AppointmentPermission]
    filterset_class = AppointmentFilter
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return Appointment.objects.visible_to(self.request.user).order_by("starts_at", "id")

    def list(self, request, *args, **kwargs):
        # A cached page is sent as the JSON it was stored as: no parse, no render.
        key = cache.list_page_key(request.user, request.build_absolute_uri())
        page, version = cache.get_list_page(key)
        if page is None:
            page = JSONRenderer().render(super().list(request, *args, **kwargs).data)
            cache.set_list_page(key, version, page)
        return HttpResponse(page, content_type="application/json")

    @idempotent
    def create(self, request, *args, **kwargs):
        booking = BookingSerializer(data=request.data, context=self.get_serializer_context())
        booking.is_valid(raise_exception=True)
        appointment = services.book_appointment(
            **booking.validated_data, created_by=request.user, request=request
        )
        return Response(AppointmentSerializer(appointment).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        appointment = self.get_object()
        sent = set(request.data) if hasattr(request.data, "keys") else set()
        read_only = sorted(sent & set(READ_ONLY_FIELDS))
        if read_only:
            raise ValidationError(
                {name: [_("Read-only; status changes only through the actions.")] for name in read_only}
            )
        allowed = appointment_fields_editable_by(request.user)
        if sent & (set(services.EDITABLE_FIELDS) - set(allowed)):
            raise PermissionDenied(_("You may change only: %(fields)s.") % {"fields": ", ".join(allowed)})
        changes = AppointmentChangeSerializer(data=request.data, partial=True)
        changes.is_valid(raise_exception=True)
        appointment = services.update_appointment(
            appointment=appointment, changes=changes.validated_data, by=request.user, request=request
        )
        return Response(AppointmentSerializer(appointment).data)

    def perform_destroy(self, instance):
        services.delete_appointment(appointment=instance, by=self.request.user, request=self.request)

    def _transition(self, verb) -> Response:
        appointment = verb(appointment=self.get_object(), by=self.request.user, request=self.request)
        return Response(AppointmentSerializer(appointment).data)

    @status_action_schema
    @action(detail=True, methods=["post"], url_path="confirm", url_name="confirm")
    @idempotent
    def confirm(self, request, pk=None):
        return self._transition(services.confirm_appointment)

    @status_action_schema
    @action(detail=True, methods=["post"], url_path="check-in", url_name="check-in")
    @idempotent
    def check_in(self, request, pk=None):
        return self._transition(services.check_in_appointment)

    @status_action_schema
    @action(detail=True, methods=["post"], url_path="complete", url_name="complete")
    @idempotent
    def complete(self, request, pk=None):
        return self._transition(services.complete_appointment)

    @extend_schema(request=CancelSerializer, responses=AppointmentSerializer, parameters=[IDEMPOTENCY_KEY])
    @action(detail=True, methods=["post"], url_path="cancel", url_name="cancel")
    @idempotent
    def cancel(self, request, pk=None):
        """The body is optional: `{"reason": "..."}` is kept with the cancellation."""
        appointment = self.get_object()
        body = CancelSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        appointment = services.cancel_appointment(
            appointment=appointment, by=request.user, request=request, reason=body.validated_data["reason"]
        )
        return Response(AppointmentSerializer(appointment).data)

    @status_action_schema
    @action(detail=True, methods=["post"], url_path="no-show", url_name="no-show")
    @idempotent
    def no_show(self, request, pk=None):
        return self._transition(services.mark_no_show)
