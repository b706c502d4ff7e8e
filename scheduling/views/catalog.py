"""`/api/v1/appointment-types/` and `/api/v1/rooms/`: thin views over
scheduling.catalog. Lists hold the active rows; one row is found by id even
when archived (a booked visit still names it); DELETE archives."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.permissions import IsAdmin, IsClinician
from scheduling import catalog, selectors
from scheduling.models import AppointmentType, Room
from scheduling.serializers import AppointmentTypeSerializer, RoomSerializer

ADMIN_ACTIONS = ("create", "partial_update", "destroy")


class CatalogViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Admins write; `readers` list and read."""

    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    readers = IsAuthenticated
    model = None
    active_rows = None  # the list's queryset (a selector)

    def get_queryset(self):
        if self.action == "list":
            return self.active_rows()
        return self.model.objects.order_by("name", "id")

    def get_permissions(self):
        if self.action in ADMIN_ACTIONS:
            return [IsAdmin()]
        return [self.readers()]

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = self.create_row(by=request.user, request=request, **serializer.validated_data)
        return Response(self.get_serializer(row).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        row = self.get_object()
        serializer = self.get_serializer(row, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        row = self.update_row(row, serializer.validated_data, by=request.user, request=request)
        return Response(self.get_serializer(row).data)

    def perform_destroy(self, instance):
        self.archive_row(instance, by=self.request.user, request=self.request)


@extend_schema_view(
    list=extend_schema(summary="The active visit types (anyone signed in)"),
    retrieve=extend_schema(summary="One visit type, archived or not (anyone signed in)"),
    create=extend_schema(summary="Create a visit type (admin)"),
    partial_update=extend_schema(summary="Change a visit type (admin); booked visits keep their buffers"),
    destroy=extend_schema(summary="Archive a visit type (admin); visits that have it keep it"),
)
class AppointmentTypeViewSet(CatalogViewSet):
    serializer_class = AppointmentTypeSerializer
    model = AppointmentType
    active_rows = staticmethod(selectors.active_appointment_types)

    def create_row(self, **fields):
        return catalog.create_appointment_type(**fields)

    def update_row(self, row, changes, **who):
        return catalog.update_appointment_type(appointment_type=row, changes=changes, **who)

    def archive_row(self, row, **who):
        catalog.archive_appointment_type(appointment_type=row, **who)


@extend_schema_view(
    list=extend_schema(summary="The active rooms (admin, staff, doctors)"),
    retrieve=extend_schema(summary="One room, archived or not (admin, staff, doctors)"),
    create=extend_schema(summary="Create a room (admin)"),
    partial_update=extend_schema(summary="Rename a room or restore it (admin)"),
    destroy=extend_schema(summary="Archive a room (admin); visits booked there keep it"),
)
class RoomViewSet(CatalogViewSet):
    serializer_class = RoomSerializer
    readers = IsClinician
    model = Room
    active_rows = staticmethod(selectors.active_rooms)

    def create_row(self, **fields):
        return catalog.create_room(**fields)

    def update_row(self, row, changes, **who):
        return catalog.update_room(room=row, changes=changes, **who)

    def archive_row(self, row, **who):
        catalog.archive_room(room=row, **who)
