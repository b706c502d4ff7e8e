from datetime import UTC

import django_filters
from django import forms
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.timezone import is_naive, make_aware
from django.utils.translation import gettext as _

from config.filtering import IdFilter
from scheduling.models import Appointment, Status
from scheduling.selectors import clinic_zone, day_bounds


class DateOrDateTimeField(forms.CharField):
    """A bare date (the whole day in TIME_ZONE) or an ISO datetime."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            day = parse_date(value)
            moment = None if day else parse_datetime(value)
        except ValueError:
            moment = day = None
        if moment is None and day is None:
            raise forms.ValidationError(_("Enter a date (YYYY-MM-DD) or an ISO 8601 datetime."))
        try:
            if moment is not None and is_naive(moment):
                moment = make_aware(moment, clinic_zone())
            if moment is not None:  # PostgreSQL takes offsets up to 15:59 only: send UTC
                moment = moment.astimezone(UTC)
        except (OverflowError, ValueError) as exc:  # out of range once in UTC (year 1 or 9999)
            raise forms.ValidationError(_("Enter a date or datetime within range.")) from exc
        return moment or day


class DateOrDateTimeFilter(django_filters.Filter):
    field_class = DateOrDateTimeField

    def __init__(self, *args, end=False, **kwargs):
        self.end = end
        super().__init__(*args, field_name="starts_at", **kwargs)

    def filter(self, qs, value):
        if value is None:
            return qs
        if hasattr(value, "hour"):
            return qs.filter(starts_at__lte=value) if self.end else qs.filter(starts_at__gte=value)
        day_start, next_day_start = day_bounds(value)
        return qs.filter(starts_at__lt=next_day_start) if self.end else qs.filter(starts_at__gte=day_start)


class AppointmentFilter(django_filters.FilterSet):
    doctor = IdFilter(field_name="doctor_id")
    client = IdFilter(field_name="client_id")
    status = django_filters.ChoiceFilter(choices=Status.choices)
    date_from = DateOrDateTimeFilter()
    date_to = DateOrDateTimeFilter(end=True)

    class Meta:
        model = Appointment
        fields = ["doctor", "client", "status", "date_from", "date_to"]
