"""Small builders shared by the scheduling tests."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from scheduling.models import WorkingHours
from scheduling.selectors import clinic_zone


def future_weekday(weekday: int, weeks_ahead: int = 1) -> date:
    """A date `weeks_ahead` weeks from now or later that falls on `weekday` (Monday 0)."""
    today = timezone.localdate() + timedelta(weeks=weeks_ahead)
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """`hour:minute` on `day` in the clinic's zone."""
    return datetime.combine(day, time(hour, minute), tzinfo=clinic_zone())


def give_hours(doctor, weekday: int, start: str = "09:00", end: str = "17:00") -> WorkingHours:
    return WorkingHours.objects.create(
        doctor=doctor, weekday=weekday, start=time.fromisoformat(start), end=time.fromisoformat(end)
    )


def booking(world, starts_at, **extra) -> dict:
    return {
        "client": world.client.pk,
        "doctor": world.doctor.pk,
        "starts_at": starts_at.isoformat(),
        "duration_minutes": 30,
        "reason": "Headache since Tuesday",
        **extra,
    }
