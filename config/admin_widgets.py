"""Admin form widgets shared by the apps: times read and typed as HH:MM, as
people say them (Django's defaults show and expect seconds)."""

from django.contrib.admin.widgets import AdminSplitDateTime, BaseAdminDateWidget, BaseAdminTimeWidget
from django.db import models
from django.forms import MultiWidget

MINUTES = "%H:%M"


class MinuteTimeWidget(BaseAdminTimeWidget):
    def __init__(self, attrs=None, format=MINUTES):
        super().__init__(attrs, format)


class MinuteSplitDateTime(AdminSplitDateTime):
    def __init__(self, attrs=None):
        MultiWidget.__init__(self, [BaseAdminDateWidget, MinuteTimeWidget], attrs)


# A ModelAdmin's `formfield_overrides` for pages that edit times.
MINUTE_FIELDS = {
    models.DateTimeField: {"widget": MinuteSplitDateTime},
    models.TimeField: {"widget": MinuteTimeWidget},
}
