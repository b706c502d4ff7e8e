"""The free times that suit a waitlist entry, earliest first, for "Offer
now" (offers.offer_now): its doctor (else every active doctor with working
hours), its visit type's length and buffers (else the default 30 minutes), a
free active room when the type needs one, a local date inside the entry's
dates, not begun. Read through availability's own selectors (working hours,
time off, visits and their buffers, the room), day by day, and its cache:
days the API or an earlier click computed cost no query. A cached slot taken
since is refused by the hold (the exclusion constraints), and the next is tried."""

from collections.abc import Iterator
from datetime import datetime, timedelta

from django.utils import timezone

from accounts.models import User
from scheduling import selectors
from scheduling.models import WorkingHours
from scheduling.services import DEFAULT_DURATION


def free_times(entry, *, now: datetime | None = None) -> Iterator[tuple[int, datetime, int | None]]:
    """(doctor id, start, room id or None) of each free time for `entry`, in
    order of start (then doctor, then room); computed a day at a time, so a
    caller that takes the first reads only up to its day."""
    now = now or timezone.now()
    visit_type = entry.appointment_type
    duration, buffers = shape_of(entry)
    rooms = list(selectors.active_rooms()) if visit_type and visit_type.requires_room else [None]
    weekdays = _working_weekdays(entry)
    day = max(entry.earliest_date, timezone.localdate(now))
    while day <= entry.latest_date:
        found = [
            (start, doctor.pk, room.pk if room else None)
            for doctor, worked in weekdays
            if day.weekday() in worked
            for room in rooms
            for start, _end in selectors.future_slots(
                selectors.cached_day_slots(doctor, day, duration, buffers=buffers, room=room), now=now
            )
        ]
        for start, doctor_id, room_id in sorted(found):
            yield doctor_id, start, room_id
        day += timedelta(days=1)


def shape_of(entry) -> tuple[int, tuple[int, int]]:
    """The length and buffers (before, after) of the visit `entry` waits for:
    its type's, else a visit without a type's."""
    visit_type = entry.appointment_type
    if visit_type is None:
        return DEFAULT_DURATION, (0, 0)
    return visit_type.duration_minutes, (visit_type.buffer_before_minutes, visit_type.buffer_after_minutes)


def _working_weekdays(entry) -> list[tuple[User, set[int]]]:
    """The doctors the entry may be offered (its own, else every active
    doctor), each with the weekdays they work; those without working hours
    are left out (two queries)."""
    doctors = User.objects.active_doctors().order_by("pk")
    if entry.doctor_id is not None:
        doctors = doctors.filter(pk=entry.doctor_id)
    doctors = list(doctors)
    worked: dict[int, set[int]] = {}
    for doctor_id, weekday in WorkingHours.objects.filter(doctor__in=doctors).values_list(
        "doctor_id", "weekday"
    ):
        worked.setdefault(doctor_id, set()).add(weekday)
    return [(doctor, worked[doctor.pk]) for doctor in doctors if doctor.pk in worked]
