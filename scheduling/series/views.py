"""`/api/v1/appointment-series/`: thin views over scheduling.series.services."""

from django.db.models import Prefetch
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from config.errors import error_body
from scheduling.idempotency import idempotent
from scheduling.models import Appointment
from scheduling.series import services
from scheduling.series.exceptions import SeriesConflict
from scheduling.series.models import AppointmentSeries
from scheduling.series.permissions import SeriesPermission, may_book_series_with
from scheduling.series.serializers import SeriesCancelSerializer, SeriesRequestSerializer, SeriesSerializer
from scheduling.views.appointments import IDEMPOTENCY_KEY


@method_decorator(
    name="create",
    decorator=extend_schema(request=SeriesRequestSerializer, parameters=[IDEMPOTENCY_KEY]),
)
class SeriesViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = SeriesSerializer
    permission_classes = [SeriesPermission]

    def get_queryset(self):
        visits = Prefetch("appointments", queryset=Appointment.objects.order_by("starts_at", "id"))
        return (
            AppointmentSeries.objects.visible_to(self.request.user)
            .prefetch_related(visits)
            .order_by("-created_at", "-id")
        )

    def handle_exception(self, exc):
        """A series conflict carries the refused visits beside the usual body."""
        if isinstance(exc, SeriesConflict):
            body = error_body(exc.detail, exc.default_code, conflicts=exc.conflicts)
            return Response(body, status=exc.status_code)
        return super().handle_exception(exc)

    @idempotent
    def create(self, request, *args, **kwargs):
        body = SeriesRequestSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        if not may_book_series_with(request.user, body.validated_data["doctor"]):
            raise PermissionDenied(_("Doctors book series for themselves only."))
        series = services.create_series(**body.validated_data, created_by=request.user, request=request)
        return Response(self._render(series), status=status.HTTP_201_CREATED)

    @extend_schema(request=SeriesCancelSerializer, responses=SeriesSerializer)
    @action(detail=True, methods=["post"], url_path="cancel", url_name="cancel")
    def cancel(self, request, pk=None):
        series = self.get_object()
        body = SeriesCancelSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.cancel_series(
            series=series, since=body.validated_data.get("from"), by=request.user, request=request
        )
        return Response(self._render(series))

    def _render(self, series) -> dict:
        """The series as stored now, its visits read in one query."""
        return SeriesSerializer(self.get_queryset().get(pk=series.pk)).data
