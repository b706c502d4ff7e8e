"""iCalendar: `appointments/calendar.ics` (signed in) and the private
subscription URL `/calendar/<token>.ics` that calendar apps fetch without a header."""

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from config.fields import ID_SCHEMA
from scheduling import calendar
from scheduling.renderers import ICalendarRenderer
from scheduling.serializers import CalendarFeedSerializer

CALENDAR_CONTENT_TYPE = "text/calendar; charset=utf-8"
NOT_ACCEPTABLE = OpenApiResponse(
    {"$ref": "#/components/schemas/Error"},
    description="`not_acceptable`: the Accept header admits neither `text/calendar` nor `*/*`",
)


def _api_doctor_id(user, value: str | None) -> int | None:
    try:
        doctor_id = calendar.parse_doctor_id(value)
    except ValueError:
        raise ValidationError({"doctor": [_("Must be a doctor's id.")]}) from None
    if user.is_clinic_staff and doctor_id is None:
        raise ValidationError({"doctor": [_("Required for staff and admins.")]})
    if user.is_doctor and doctor_id is not None and doctor_id != user.pk:
        raise NotFound  # another doctor's calendar is not theirs to see (API.md, "Not yours")
    return doctor_id


class AppointmentCalendarView(APIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = [ICalendarRenderer]

    @extend_schema(
        parameters=[OpenApiParameter("doctor", ID_SCHEMA, description="required for staff and admins")],
        responses={(200, "text/calendar"): OpenApiTypes.BINARY, (406, "application/json"): NOT_ACCEPTABLE},
    )
    def get(self, request):
        doctor_id = _api_doctor_id(request.user, request.query_params.get("doctor"))
        response = Response(calendar.calendar_for(request.user, doctor_id))
        response["Cache-Control"] = "private, no-store"
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        # Only the calendar itself is text/calendar: errors, the 406 included,
        # are JSON whatever the Accept (API.md, "Errors"), and so is OPTIONS.
        if isinstance(response, Response) and not isinstance(response.data, bytes):
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


def _feed_answer(request, token) -> Response:
    return Response({"url": request.build_absolute_uri(calendar.feed_path(token))})


class CalendarFeedView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=CalendarFeedSerializer)
    def get(self, request):
        return _feed_answer(request, calendar.get_or_create_feed_token(request.user))


class CalendarFeedRotateView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=CalendarFeedSerializer)
    def post(self, request):
        return _feed_answer(request, calendar.rotate_feed_token(request.user))


@require_GET
def subscription_feed(request, token):
    """The token is the credential: unknown, rotated or revoked → 404, and so is
    a `?doctor=` the owner cannot narrow to (a plain view: Http404, never DRF's errors)."""
    user = calendar.feed_owner(token)
    if user is None:
        raise Http404
    doctor_id = calendar.feed_doctor_id(user, request.GET.get("doctor"))
    response = HttpResponse(calendar.calendar_for(user, doctor_id), content_type=CALENDAR_CONTENT_TYPE)
    response["Cache-Control"] = "private, no-store"
    return response
