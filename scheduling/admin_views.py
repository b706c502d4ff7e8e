"""The admin's day schedule: one local day, a column per doctor the user may
see, a row per 30-minute slot, booked appointments as blocks coloured by
status, time off and hours outside the working blocks shaded.

Server-rendered (templates/admin/scheduling/day_schedule.html); reads through
scheduling.selectors, three queries whatever the number of bookings."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from scheduling import selectors
from scheduling.models import Status

SLOT_MINUTES = 30
SLOT_PX = 34  # the height of one slot row
DEFAULT_RANGE = (8 * 60, 18 * 60)  # 08:00-18:00 when nobody works that day
STATUS_LABELS = dict(Status.choices)
DASH = "\u2013"  # an en dash between two times


@dataclass
class Block:
    top: int
    height: int
    label: str = ""
    css: str = ""
    url: str = ""
    time: str = ""
    title: str = ""


@dataclass
class Column:
    doctor: object
    works_today: bool = False
    appointments: list[Block] = field(default_factory=list)
    shaded: list[Block] = field(default_factory=list)


def parse_day(raw: str | None) -> tuple[date, bool]:
    """`?date=YYYY-MM-DD`, or today in the clinic's zone (False: the value was not a date)."""
    today = timezone.localdate()
    if not raw:
        return today, True
    try:
        return date.fromisoformat(raw), True
    except ValueError:
        return today, False


def _minute_of(day: date, moment: datetime) -> int:
    """Minutes since local midnight of `day`, clamped to the day."""
    local = moment.astimezone(selectors.clinic_zone())
    if local.date() < day:
        return 0
    if local.date() > day:
        return 24 * 60
    return local.hour * 60 + local.minute


def _minute_of_time(value) -> int:
    return value.hour * 60 + value.minute


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def build_schedule(user, day: date) -> dict:
    doctors = list(selectors.schedule_doctors(user))
    ids = [doctor.pk for doctor in doctors]
    appointments = list(selectors.day_appointments(user, day, ids))
    time_off = list(selectors.day_time_off(day, ids))
    hours = list(selectors.day_working_hours(day, ids))

    starts = [_minute_of_time(block.start) for block in hours]
    ends = [_minute_of_time(block.end) if block.end.hour or block.end.minute else 24 * 60 for block in hours]
    first, last = (min(starts), max(ends)) if hours else DEFAULT_RANGE
    for appointment in appointments:
        first = min(first, _minute_of(day, appointment.starts_at))
        last = max(last, _minute_of(day, appointment.ends_at))
    first = first // SLOT_MINUTES * SLOT_MINUTES
    last = -(-last // SLOT_MINUTES) * SLOT_MINUTES

    def place(start: int, end: int, gap: bool = False, **kwargs) -> Block:
        start, end = max(start, first), min(end, last)
        top = (start - first) * SLOT_PX // SLOT_MINUTES
        height = max((end - start) * SLOT_PX // SLOT_MINUTES, 14)
        if gap:  # back-to-back visits stay two blocks
            top, height = top + 1, height - 3
        return Block(top=top, height=height, **kwargs)

    columns = {doctor.pk: Column(doctor=doctor) for doctor in doctors}
    blocks_by_doctor: dict[int, list[tuple[int, int]]] = {}
    for block in hours:
        blocks_by_doctor.setdefault(block.doctor_id, []).append(
            (_minute_of_time(block.start), _minute_of_time(block.end) or 24 * 60)
        )
    for doctor_id, column in columns.items():
        worked = sorted(blocks_by_doctor.get(doctor_id, []))
        column.works_today = bool(worked)
        cursor = first
        for start, end in worked:  # shade the gaps around the working blocks
            if start > cursor:
                column.shaded.append(place(cursor, start, css="off-hours"))
            cursor = max(cursor, end)
        if worked and cursor < last:
            column.shaded.append(place(cursor, last, css="off-hours"))
    for period in time_off:
        start, end = _minute_of(day, period.starts_at), _minute_of(day, period.ends_at)
        if end > first and start < last:
            label = f"Time off {_hhmm(start)}{DASH}{_hhmm(end)}"
            columns[period.doctor_id].shaded.append(place(start, end, css="time-off", label=label))
    for appointment in appointments:
        start, end = _minute_of(day, appointment.starts_at), _minute_of(day, appointment.ends_at)
        client = appointment.client
        status = STATUS_LABELS.get(appointment.status, appointment.status)
        time = f"{_hhmm(start)}{DASH}{_hhmm(end)}"
        columns[appointment.doctor_id].appointments.append(
            place(
                start,
                end,
                gap=True,
                label=f"{client.first_name} {client.last_name}",
                css=f"status-{appointment.status}",
                url=reverse("admin:scheduling_appointment_change", args=[appointment.pk]),
                time=time,
                title=f"{time} · {status} · {client.first_name} {client.last_name}",
            )
        )
    slots = [_hhmm(minute) for minute in range(first, last, SLOT_MINUTES)]
    return {
        "columns": list(columns.values()),
        "slots": slots,
        "grid_height": len(slots) * SLOT_PX,
        "slot_px": SLOT_PX,
        "appointment_count": len(appointments),
    }


def day_schedule_view(model_admin):
    """The view behind /admin/scheduling/appointment/day/ (AppointmentAdmin.get_urls)."""

    def view(request):
        if not model_admin.has_view_permission(request):
            raise PermissionDenied
        day, valid = parse_day(request.GET.get("date"))
        today = timezone.localdate()
        context = {
            **model_admin.admin_site.each_context(request),
            "title": f"Day schedule — {day:%A %d %B %Y}",
            "subtitle": None,
            "opts": model_admin.model._meta,
            "day": day,
            "today": today,
            "is_today": day == today,
            "previous_day": day - timedelta(days=1),
            "next_day": day + timedelta(days=1),
            "invalid_date": not valid,
            "statuses": [
                (value, label)
                for value, label in Status.choices
                if value not in (Status.CANCELLED, Status.NO_SHOW)
            ],
            "can_add": model_admin.has_add_permission(request),
            **build_schedule(request.user, day),
        }
        return TemplateResponse(request, "admin/scheduling/day_schedule.html", context)

    return view
