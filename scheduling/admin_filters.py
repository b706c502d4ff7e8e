"""The appointment list opens where the front desk's day is: from today on,
in time order, with Today, Tomorrow and Next 7 days one click away."""

from datetime import datetime, time, timedelta

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

UPCOMING = "upcoming"
CHOICES = [
    ("today", _("Today")),
    ("tomorrow", _("Tomorrow")),
    ("week", _("Next 7 days")),
    (UPCOMING, _("From today on")),
    ("past", _("Past")),
    ("all", _("All")),
]


def day_start(day) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


class WhenFilter(admin.SimpleListFilter):
    """`?when=`; without it, from today on (the list's default)."""

    title = _("when")
    parameter_name = "when"

    def lookups(self, request, model_admin):
        return CHOICES

    def value(self):
        return super().value() or UPCOMING

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        today = day_start(timezone.localdate())
        ranges = {
            "today": (today, today + timedelta(days=1)),
            "tomorrow": (today + timedelta(days=1), today + timedelta(days=2)),
            "week": (today, today + timedelta(days=7)),
            UPCOMING: (today, None),
            "past": (None, today),
        }
        if self.value() not in ranges:
            return queryset
        start, end = ranges[self.value()]
        if start is not None:
            queryset = queryset.filter(starts_at__gte=start)
        if end is not None:
            queryset = queryset.filter(starts_at__lt=end)
        return queryset


def ordering_for(request) -> tuple[str, ...]:
    """Past and all visits newest first; the rest in the order they come."""
    return ("-starts_at",) if request.GET.get("when") in {"past", "all"} else ("starts_at",)
