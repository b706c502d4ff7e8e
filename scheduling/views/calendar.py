"""iCalendar: `appointments/calendar.ics` (signed in) and the private
subscription URL `/calendar/<token>.ics` that calendar apps fetch without a header."""

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from config.fields import ID_SCHEMA, parse_id
from scheduling import calendar, selectors
from scheduling.serializers import CalendarFeedSerializer


def _calendar_response(user, params) -> HttpResponse:
    doctor = params.get("doctor")
    if doctor is not None:
        doctor = parse_id(doctor)
        if doctor is None:
            raise ValidationError({"doctor": ["Must be a doctor's id."]})
    if user.is_clinic_staff and doctor is None:
        raise ValidationError({"doctor": ["Required for staff and admins."]})
    if user.is_doctor and doctor is not None and doctor != user.pk:
        raise NotFound  # another doctor's calendar is not theirs to see (API.md, "Not yours")
    appointments = selectors.calendar_appointments(user, doctor)
    response = HttpResponse(
        calendar.build_calendar(appointments), content_type="text/calendar; charset=utf-8"
    )
    response["Cache-Control"] = "private, no-store"
    return response


class AppointmentCalendarView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("doctor", ID_SCHEMA, description="required for staff and admins")],
        responses={(200, "text/calendar"): OpenApiTypes.STR},
    )
    def get(self, request):
        return _calendar_response(request.user, request.query_params)


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
    """The token is the credential: unknown, rotated or deactivated → 404."""
    user = calendar.feed_owner(token)
    if user is None:
        raise Http404
    try:
        return _calendar_response(user, request.GET)
    except ValidationError:
        return HttpResponse("A doctor id is required: ?doctor=<id>\n", status=400, content_type="text/plain")
