"""Reads: the doctor's working blocks in real instants, free slots, and the
appointments a calendar shows."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Exists, Q
from django.utils import timezone

from accounts.models import User
from scheduling import cache
from scheduling.models import (
    Appointment,
    AppointmentType,
    Reminder,
    ReminderStatus,
    Room,
    Status,
    TimeOff,
    WorkingHours,
)

CALENDAR_PAST_DAYS = 90


def clinic_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_date(moment: datetime) -> date:
    return moment.astimezone(clinic_zone()).date()


def local_moment(day: date, at: time) -> datetime:
    """`at` on `day` in the clinic's zone, as an instant in UTC (DST-correct).
    A wall-clock time the clocks show twice is the first (summer time); one
    they skip is read with the offset before the change (02:30 when 02:00
    becomes 03:00 is 03:30). In UTC, because Python adds to and compares
    datetimes of one zone by their wall clocks, not in real time."""
    return datetime.combine(day, at, tzinfo=clinic_zone()).astimezone(UTC)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The instants a local calendar day starts and ends (23 or 25 hours across DST)."""
    return local_moment(day, time.min), local_moment(day + timedelta(days=1), time.min)


def working_blocks(doctor, day: date) -> list[tuple[datetime, datetime]]:
    """The doctor's working hours on local `day`, as real instants."""
    rows = WorkingHours.objects.filter(doctor=doctor, weekday=day.weekday()).order_by("start")
    return [(local_moment(day, row.start), local_moment(day, row.end)) for row in rows]


def fits_working_hours(doctor, starts_at: datetime, ends_at: datetime) -> bool:
    """True when the visit lies inside one working block of its local day and
    outside every time off. A doctor with no working hours is always bookable
    except during their time off."""
    day = local_date(starts_at)
    time_off = overlapping_time_off(doctor, starts_at, ends_at)
    weekly = list(
        WorkingHours.objects.filter(doctor=doctor)
        .annotate(off=Exists(time_off))  # one round trip for both questions
        .values_list("weekday", "start", "end", "off")
    )
    if not weekly:
        return not time_off.exists()
    blocks = [
        (local_moment(day, start), local_moment(day, end))
        for wd, start, end, _ in weekly
        if wd == day.weekday()
    ]
    return not weekly[0][3] and any(start <= starts_at and ends_at <= end for start, end in blocks)


def overlapping_time_off(doctor, starts_at: datetime, ends_at: datetime):
    return TimeOff.objects.filter(doctor=doctor, starts_at__lt=ends_at, ends_at__gt=starts_at)


def day_slots(
    doctor, day: date, duration_minutes: int, *, buffers: tuple[int, int] = (0, 0), room=None
) -> list[tuple[datetime, datetime]]:
    """Every slot of `duration_minutes` (stepping by it from each block's start)
    on local `day`, past or not, that could be booked: the visit clear of time
    off (and, given a `room`, of the room's active visits), and the doctor's
    time it would hold (`buffers` minutes before and after it) clear of the
    time their other active visits hold. Three queries."""
    before, after = (timedelta(minutes=minutes) for minutes in buffers)
    step = timedelta(minutes=duration_minutes)
    day_start, day_end = day_bounds(day)
    # One query for both: a visit of the room that touches the day holds time
    # around it, so it is among those holding time near the day.
    visits = Appointment.objects.active().holding(day_start - before, day_end + after)
    mine_or_room = Q(doctor=doctor) | Q(room=room) if room is not None else Q(doctor=doctor)
    held, visit_busy = [], []
    for doctor_id, room_id, held_from, held_until, starts_at, ends_at in visits.filter(
        mine_or_room
    ).values_list("doctor_id", "room_id", "blocked_from", "blocked_until", "starts_at", "ends_at"):
        if doctor_id == doctor.pk:
            held.append((held_from, held_until))
        if room is not None and room_id == room.pk:
            visit_busy.append((starts_at, ends_at))
    visit_busy += overlapping_time_off(doctor, day_start, day_end).values_list("starts_at", "ends_at")
    slots = []
    for block_start, block_end in working_blocks(doctor, day):
        start = block_start
        while start + step <= block_end:
            end = start + step
            if not _clashes(held, start - before, end + after) and not _clashes(visit_busy, start, end):
                slots.append((start, end))
            start = end
    return slots


def _clashes(periods, start: datetime, end: datetime) -> bool:
    return any(p_start < end and start < p_end for p_start, p_end in periods)


def clashing_visit(
    doctor, starts_at: datetime, ends_at: datetime, *, buffers: tuple[int, int] = (0, 0), exclude_pk=None
):
    """The doctor's active visit whose held time a booking from `starts_at` to
    `ends_at`, with `buffers` minutes before and after it, overlaps."""
    before, after = (timedelta(minutes=minutes) for minutes in buffers)
    visits = Appointment.objects.active().holding(starts_at - before, ends_at + after).filter(doctor=doctor)
    return visits.exclude(pk=exclude_pk).select_related("client", "doctor").order_by("starts_at").first()


def room_clash(room, starts_at: datetime, ends_at: datetime, *, exclude_pk=None):
    """The room's active visit that a visit from `starts_at` to `ends_at` overlaps."""
    visits = Appointment.objects.active().overlapping(starts_at, ends_at).filter(room=room)
    return visits.exclude(pk=exclude_pk).select_related("client", "doctor").order_by("starts_at").first()


def covered_visits(doctor, starts_at: datetime, ends_at: datetime) -> list[Appointment]:
    """The doctor's active visits a period off from `starts_at` to `ends_at` covers."""
    visits = Appointment.objects.active().overlapping(starts_at, ends_at).filter(doctor=doctor)
    return list(visits.select_related("client", "doctor").order_by("starts_at"))


def next_free_start(
    doctor,
    after: datetime,
    duration_minutes: int,
    *,
    buffers: tuple[int, int] = (0, 0),
    room=None,
    days: int = 14,
) -> datetime | None:
    """The first free slot of `duration_minutes` at or after `after`, within `days`."""
    first = local_date(after)
    for offset in range(days):
        day = first + timedelta(days=offset)
        if free := future_slots(
            day_slots(doctor, day, duration_minutes, buffers=buffers, room=room), now=after
        ):
            return free[0][0]
    return None


def cached_day_slots(
    doctor, day: date, duration_minutes: int, *, buffers: tuple[int, int] = (0, 0), room=None
) -> list[tuple[datetime, datetime]]:
    """`day_slots` through the shared cache, per doctor, day, length, buffers
    and room (a booking bumps the doctor's and the room's versions): the API's
    availability and the admin's Offer now read and fill the same entries."""
    room_id = room.pk if room else None
    key = cache.availability_key(doctor.pk, day, duration_minutes, buffers=buffers, room_id=room_id)
    slots, version = cache.get_availability(doctor.pk, key, room_id=room_id)
    if slots is None:
        slots = day_slots(doctor, day, duration_minutes, buffers=buffers, room=room)
        cache.set_availability(key, version, slots)
    return slots


def future_slots(slots, now: datetime | None = None):
    now = now or timezone.now()
    return [(start, end) for start, end in slots if start >= now]


def patient_booking_window(now: datetime | None = None) -> tuple[datetime, datetime]:
    """The first and last start a patient may book now: BOOKING_MIN_NOTICE_MINUTES
    ahead at the soonest, BOOKING_HORIZON_DAYS at the latest."""
    now = now or timezone.now()
    return (
        now + timedelta(minutes=settings.BOOKING_MIN_NOTICE_MINUTES),
        now + timedelta(days=settings.BOOKING_HORIZON_DAYS),
    )


def bookable_slots(slots, user, now: datetime | None = None):
    """The slots `user` may book now: none in the past, and for a patient only
    those inside their booking window."""
    now = now or timezone.now()
    if not user.is_patient:
        return future_slots(slots, now=now)
    earliest, latest = patient_booking_window(now)
    return [(start, end) for start, end in slots if earliest <= start <= latest]


def active_appointment_types():
    return AppointmentType.objects.filter(active=True).order_by("name", "id")


def active_rooms():
    return Room.objects.filter(active=True).order_by("name", "id")


def calendar_appointments(user, doctor_id: int | None):
    """The appointments a calendar shows `user`: their own (doctor or patient),
    or one doctor's for staff and admins; never cancelled ones."""
    queryset = Appointment.objects.visible_to(user).exclude(status=Status.CANCELLED)
    if doctor_id is not None:
        queryset = queryset.filter(doctor_id=doctor_id)
    since = timezone.now() - timedelta(days=CALENDAR_PAST_DAYS)
    return queryset.filter(starts_at__gte=since).select_related("client").order_by("starts_at")


def reminder_counts() -> dict[str, int]:
    """Reminders by status, every status present (one query)."""
    counts = dict.fromkeys(ReminderStatus.values, 0)
    for row in Reminder.objects.values("status").annotate(n=Count("id")).order_by():
        counts[row["status"]] = row["n"]
    return counts


def reminder_problems(*, now=None) -> dict[str, int]:
    """What needs a person: pending reminders overdue by more than a reconcile
    period, and reminders that failed in the last day (one query)."""
    now = now or timezone.now()
    overdue_before = now - timedelta(minutes=2 * settings.REMINDER_RECONCILE_MINUTES)
    return Reminder.objects.aggregate(
        overdue=Count("id", filter=Q(status=ReminderStatus.PENDING, scheduled_for__lt=overdue_before)),
        failed_last_day=Count(
            "id", filter=Q(status=ReminderStatus.FAILED, updated_at__gte=now - timedelta(days=1))
        ),
    )


# The admin's day schedule (scheduling.admin_views): three queries, whatever the bookings.


def schedule_doctors(user):
    """The doctors whose columns `user` may see: a doctor only their own."""
    if user.is_doctor:
        return User.objects.filter(pk=user.pk)
    if user.is_clinic_staff:
        return User.objects.active_doctors().order_by("full_name", "username")
    return User.objects.none()


def day_appointments(user, day: date, doctor_ids):
    """Slot-holding appointments `user` may see that touch local `day`, with their
    client and doctor (one query)."""
    day_start, day_end = day_bounds(day)
    return (
        Appointment.objects.visible_to(user)
        .active()
        .overlapping(day_start, day_end)
        .filter(doctor_id__in=doctor_ids)
        .select_related("client", "doctor", "appointment_type", "room")
        .order_by("starts_at", "id")
    )


def day_time_off(day: date, doctor_ids):
    day_start, day_end = day_bounds(day)
    return TimeOff.objects.filter(doctor_id__in=doctor_ids, starts_at__lt=day_end, ends_at__gt=day_start)


def day_working_hours(day: date, doctor_ids):
    return WorkingHours.objects.filter(doctor_id__in=doctor_ids, weekday=day.weekday()).order_by("start")
