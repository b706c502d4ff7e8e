"""Admin form widgets shared by the apps: times read and typed as HH:MM, as
people say them (Django's defaults show and expect seconds), and date-times
that stay one instant in the hour the clocks go back."""

from datetime import datetime

from django import forms
from django.contrib.admin.widgets import AdminSplitDateTime, BaseAdminDateWidget, BaseAdminTimeWidget
from django.db import models
from django.forms import MultiWidget
from django.utils import timezone

MINUTES = "%H:%M"


class MinuteTimeWidget(BaseAdminTimeWidget):
    def __init__(self, attrs=None, format=MINUTES):
        super().__init__(attrs, format)


class MinuteSplitDateTime(AdminSplitDateTime):
    def __init__(self, attrs=None):
        MultiWidget.__init__(self, [BaseAdminDateWidget, MinuteTimeWidget], attrs)


def offset_of(moment: datetime) -> str:
    """`moment`'s UTC offset as ISO 8601 writes it: "+02:00"."""
    return moment.isoformat()[-6:]


def is_ambiguous(local: datetime) -> bool:
    """A local wall-clock time the clocks show twice (or skip): its two folds differ."""
    zone = timezone.get_current_timezone()
    return local.replace(tzinfo=zone, fold=0).utcoffset() != local.replace(tzinfo=zone, fold=1).utcoffset()


class ZonedSplitDateTime(MinuteSplitDateTime):
    """The date and HH:MM boxes, and a hidden third input: the UTC offset of a
    time the clocks show twice ("+02:00", then "+01:00"), empty otherwise."""

    def __init__(self, attrs=None):
        MultiWidget.__init__(self, [BaseAdminDateWidget, MinuteTimeWidget, forms.HiddenInput], attrs)

    def decompress(self, value):
        if not value:
            return [None, None, None]
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        offset = offset_of(local) if timezone.is_aware(value) and is_ambiguous(local) else ""
        return [local.date(), local.time(), offset]

    def render(self, name, value, attrs=None, renderer=None):
        """Django's admin template lays out the date and the time: the hidden offset follows them."""
        context = self.get_context(name, value, attrs)
        hidden = context["widget"]["subwidgets"][2]
        html = self._render(self.template_name, context, renderer)
        return html + self.widgets[2].render(hidden["name"], hidden["value"], hidden["attrs"], renderer)


class ZonedSplitDateTimeField(forms.SplitDateTimeField):
    """Django's split date-time, refusing a time the clocks show twice as
    ambiguous, unless the hidden offset says which of the two is meant (the
    time as it was shown: a visit's own, or a booking link's). A typed time
    that the clocks show twice without it is still refused."""

    widget = ZonedSplitDateTime

    def __init__(self, **kwargs):
        super().__init__(require_all_fields=False, **kwargs)  # the offset may be empty
        self.fields = (*self.fields, forms.CharField(required=False))

    def compress(self, data_list):
        if data_list:
            day, clock, offset = (*data_list, "")[:3]
            if day not in self.empty_values and clock not in self.empty_values and offset:
                naive = datetime.combine(day, clock)
                zone = timezone.get_current_timezone()
                for fold in (0, 1):
                    candidate = naive.replace(tzinfo=zone, fold=fold)
                    if is_ambiguous(naive) and offset_of(candidate) == offset:
                        return candidate
            data_list = data_list[:2]
        return super().compress(data_list)


# A ModelAdmin's `formfield_overrides` for pages that edit times.
MINUTE_FIELDS = {
    models.DateTimeField: {"form_class": ZonedSplitDateTimeField, "widget": ZonedSplitDateTime},
    models.TimeField: {"widget": MinuteTimeWidget},
}
