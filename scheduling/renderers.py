"""The iCalendar representation, for DRF's content negotiation: `Accept:
text/calendar` (what calendar apps and Swagger UI send) is served, not 406."""

from rest_framework.renderers import BaseRenderer


class ICalendarRenderer(BaseRenderer):
    """Passes through the bytes `scheduling.calendar.build_calendar` made."""

    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data
