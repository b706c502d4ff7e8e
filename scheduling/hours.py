"""Writes of the doctors' working time: their weekly hours and periods off.

The API (scheduling.views.doctors) and the admin (scheduling.admin_hours) both
call these; each write clears the doctor's cached availability."""

import itertools
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from scheduling import cache
from scheduling.models import TimeOff, WorkingHours


def weekday_name(weekday: int) -> str:
    """0 is Monday, as in the API's `weekday` and Python's `date.weekday()`."""
    return WEEKDAYS[weekday] if 0 <= weekday <= 6 else _("Weekday %(number)s") % {"number": weekday}


def working_hours_errors(blocks: list[dict]) -> list[str]:
    """What is wrong with a week of `blocks` ({weekday, start, end}): an end not
    after its start, blocks of one weekday that overlap (the API and the admin)."""
    errors = []
    by_day = {}
    for block in blocks:
        if block["end"] <= block["start"]:
            day = weekday_name(block["weekday"])
            errors.append(_("%(weekday)s: the end must be after the start.") % {"weekday": day})
        by_day.setdefault(block["weekday"], []).append(block)
    for weekday, day_blocks in by_day.items():
        day_blocks = sorted(day_blocks, key=lambda b: b["start"])
        if any(a["end"] > b["start"] for a, b in itertools.pairwise(day_blocks)):
            errors.append(_("%(weekday)s: the blocks overlap.") % {"weekday": weekday_name(weekday)})
    return errors


def set_working_hours(*, doctor, blocks: list[dict]) -> list[WorkingHours]:
    """Replace the doctor's weekly hours with `blocks` ({weekday, start, end});
    blocks of one weekday must not overlap."""
    if errors := working_hours_errors(blocks):
        raise ValidationError({"non_field_errors": errors})
    with transaction.atomic():
        WorkingHours.objects.filter(doctor=doctor).delete()
        rows = WorkingHours.objects.bulk_create(
            WorkingHours(doctor=doctor, weekday=b["weekday"], start=b["start"], end=b["end"]) for b in blocks
        )
        cache.invalidate_availability(doctor.pk)
    return sorted(rows, key=lambda row: (row.weekday, row.start))


def add_time_off(*, doctor, starts_at: datetime, ends_at: datetime, reason: str = "") -> TimeOff:
    """Block a period; existing appointments in it stay (the front desk moves them)."""
    return save_time_off(time_off=TimeOff(doctor=doctor, starts_at=starts_at, ends_at=ends_at, reason=reason))


def check_time_off_period(*, starts_at: datetime, ends_at: datetime) -> None:
    """A period off ends after it starts (the API and the admin; the database
    holds it too, as `time_off_ends_after_start`)."""
    if starts_at and ends_at and ends_at <= starts_at:
        raise ValidationError({"ends_at": [_("Must be after starts_at (the start of the time off).")]})


def save_time_off(*, time_off: TimeOff) -> TimeOff:
    """Create or change a period off (the admin edits rows in place)."""
    check_time_off_period(starts_at=time_off.starts_at, ends_at=time_off.ends_at)
    with transaction.atomic():
        time_off.save()
        cache.invalidate_availability(time_off.doctor_id)
    return time_off


def remove_time_off(*, time_off: TimeOff) -> None:
    with transaction.atomic():
        doctor_id = time_off.doctor_id
        time_off.delete()
        cache.invalidate_availability(doctor_id)
