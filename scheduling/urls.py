from django.urls import re_path

from config.routers import Router
from scheduling.reminders.views import AppointmentRemindersView
from scheduling.reports.views import UtilizationCsvView, UtilizationView
from scheduling.series.views import SeriesViewSet
from scheduling.views.appointments import AppointmentViewSet
from scheduling.views.calendar import AppointmentCalendarView, CalendarFeedRotateView, CalendarFeedView
from scheduling.views.catalog import AppointmentTypeViewSet, RoomViewSet
from scheduling.views.doctors import AvailabilityView, TimeOffDetailView, TimeOffListView, WorkingHoursView
from scheduling.views.exports import RecordExportJSONView, RecordExportPDFView
from scheduling.waitlist.views import OfferAcceptView, OfferDeclineView, WaitlistViewSet

router = Router()
router.register("appointments", AppointmentViewSet, basename="appointment")
router.register("appointment-types", AppointmentTypeViewSet, basename="appointment-type")
router.register("rooms", RoomViewSet, basename="room")
router.register("appointment-series", SeriesViewSet, basename="appointment-series")
router.register("waitlist", WaitlistViewSet, basename="waitlist")

DOCTOR = r"^doctors/(?P<doctor_id>\d+)"
CLIENT = r"^clients/(?P<pk>\d+)"
OFFER = r"^waitlist/offers/(?P<token>[A-Za-z0-9_-]{1,100})"

# Every path answers with or without a trailing slash (API.md, "Paths").
urlpatterns = [
    re_path(
        r"^appointments/calendar\.ics/?$", AppointmentCalendarView.as_view(), name="appointment-calendar"
    ),
    re_path(r"^calendar/feed/?$", CalendarFeedView.as_view(), name="calendar-feed"),
    re_path(r"^calendar/feed/rotate/?$", CalendarFeedRotateView.as_view(), name="calendar-feed-rotate"),
    re_path(DOCTOR + r"/availability/?$", AvailabilityView.as_view(), name="doctor-availability"),
    re_path(DOCTOR + r"/working-hours/?$", WorkingHoursView.as_view(), name="doctor-working-hours"),
    re_path(DOCTOR + r"/time-off/?$", TimeOffListView.as_view(), name="doctor-time-off"),
    re_path(
        DOCTOR + r"/time-off/(?P<time_off_id>\d+)/?$",
        TimeOffDetailView.as_view(),
        name="doctor-time-off-detail",
    ),
    # A record export holds appointments, so scheduling routes it (scheduling/exports.py).
    re_path(CLIENT + r"/export\.json/?$", RecordExportJSONView.as_view(), name="client-export-json"),
    re_path(CLIENT + r"/export\.pdf/?$", RecordExportPDFView.as_view(), name="client-export-pdf"),
    re_path(
        r"^appointments/(?P<pk>\d+)/reminders/?$",
        AppointmentRemindersView.as_view(),
        name="appointment-reminders",
    ),
    re_path(OFFER + r"/accept/?$", OfferAcceptView.as_view(), name="waitlist-offer-accept"),
    re_path(OFFER + r"/decline/?$", OfferDeclineView.as_view(), name="waitlist-offer-decline"),
    re_path(r"^reports/utilization/?$", UtilizationView.as_view(), name="report-utilization"),
    re_path(r"^reports/utilization\.csv/?$", UtilizationCsvView.as_view(), name="report-utilization-csv"),
    *router.urls,
]
