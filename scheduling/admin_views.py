"""The admin's day schedule: one local day, a column per doctor the user may
see, a row per 30-minute slot, booked appointments as blocks coloured by
status (each with its status buttons), free working slots to click to book,
time off, a day off and hours outside the working blocks shaded, and a line
at "now".

Server-rendered (templates/admin/scheduling/day_schedule.html); reads through
scheduling.selectors, three queries whatever the number of bookings."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseBadRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from scheduling import schedule_pdf, selectors, services
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
    pk: int | None = None
    reason: str = ""
    status: str = ""
    kind: str = ""  # the visit type and room
    color: str = ""  # the visit type's
    actions: list[tuple[str, str]] = field(default_factory=list)

    @property
    def suffix(self) -> str:
        """Makes the ids of this visit's buttons unique on the page."""
        return f"-{self.pk}"


@dataclass
class Column:
    doctor: object
    works_today: bool = False
    appointments: list[Block] = field(default_factory=list)
    shaded: list[Block] = field(default_factory=list)
    free: list[Block] = field(default_factory=list)


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


def build_schedule(
    user, day: date, *, can_add: bool = False, can_change: bool = False, back: str = ""
) -> dict:
    """The page's grid. `can_add` offers the free slots as booking links,
    `can_change` the status buttons; both come back to `back` (this page)."""
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
        if not worked:
            column.shaded.append(place(first, last, css="day-off", label=_("Day off")))
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
            label = _("Time off %(period)s") % {"period": f"{_hhmm(start)}{DASH}{_hhmm(end)}"}
            columns[period.doctor_id].shaded.append(place(start, end, css="time-off", label=label))
    for appointment in appointments:
        start, end = _minute_of(day, appointment.starts_at), _minute_of(day, appointment.ends_at)
        client = appointment.client
        status = str(STATUS_LABELS.get(appointment.status, appointment.status))
        time = f"{_hhmm(start)}{DASH}{_hhmm(end)}"
        visit_type, room = appointment.appointment_type, appointment.room
        kind = " · ".join(part.name for part in (visit_type, room) if part is not None)
        columns[appointment.doctor_id].appointments.append(
            place(
                start,
                end,
                gap=True,
                label=f"{client.first_name} {client.last_name}",
                css=f"status-{appointment.status}",
                url=reverse("admin:scheduling_appointment_change", args=[appointment.pk]),
                time=time,
                title=" · ".join(
                    part for part in (time, status, kind, f"{client.first_name} {client.last_name}") if part
                ),
                pk=appointment.pk,
                reason=appointment.reason,
                status=status,
                kind=kind,
                color=visit_type.color if visit_type else "",
                actions=_actions(appointment) if can_change else [],
            )
        )
    if can_add:
        busy = _busy_minutes(day, appointments, time_off)
        for doctor_id, column in columns.items():
            for start in _free_starts(day, blocks_by_doctor.get(doctor_id, []), busy.get(doctor_id, [])):
                url = _booking_url(column.doctor, day, start, back)
                column.free.append(
                    place(start, start + SLOT_MINUTES, css="free-slot", time=_hhmm(start), url=url)
                )
    slots = [_hhmm(minute) for minute in range(first, last, SLOT_MINUTES)]
    return {
        "columns": list(columns.values()),
        "slots": slots,
        "grid_height": len(slots) * SLOT_PX,
        "slot_px": SLOT_PX,
        "appointment_count": len(appointments),
        "now_top": _now_top(day, first, last),
    }


def _actions(appointment) -> list[tuple[str, str]]:
    return [
        (action, services.STATUS_ACTION_LABELS[action]) for action in services.allowed_actions(appointment)
    ]


def _busy_minutes(day: date, appointments, time_off) -> dict[int, list[tuple[int, int]]]:
    """Per doctor, the (start, end) minutes of `day` taken by visits (with their
    buffers) or time off."""
    busy: dict[int, list[tuple[int, int]]] = {}
    periods = [(a.doctor_id, *a.held_range) for a in appointments]
    periods += [(period.doctor_id, period.starts_at, period.ends_at) for period in time_off]
    for doctor_id, starts_at, ends_at in periods:
        busy.setdefault(doctor_id, []).append((_minute_of(day, starts_at), _minute_of(day, ends_at)))
    return busy


def _free_starts(day: date, worked, busy) -> list[int]:
    """Slot starts inside a working block, clear of `busy`, not yet begun."""
    now = timezone.now()
    starts = []
    for block_start, block_end in worked:
        start = -(-block_start // SLOT_MINUTES) * SLOT_MINUTES
        for minute in range(start, block_end - SLOT_MINUTES + 1, SLOT_MINUTES):
            end = minute + SLOT_MINUTES
            taken = any(b_start < end and minute < b_end for b_start, b_end in busy)
            if not taken and selectors.local_moment(day, time(minute // 60, minute % 60)) > now:
                starts.append(minute)
    return starts


def _booking_url(doctor, day: date, minute: int, back: str) -> str:
    """The booking form with the doctor and time filled in, coming back to `back`."""
    query = {"doctor": doctor.pk, "starts_at": f"{day.isoformat()}T{_hhmm(minute)}", "next": back}
    return f"{reverse('admin:scheduling_appointment_add')}?{urlencode(query)}"


def _now_top(day: date, first: int, last: int) -> int | None:
    """Where the "now" line goes, when `day` is today and now is on the grid."""
    now = timezone.localtime(timezone.now(), selectors.clinic_zone())
    minute = now.hour * 60 + now.minute
    if now.date() != day or not first <= minute < last:
        return None
    return (minute - first) * SLOT_PX // SLOT_MINUTES


def day_schedule_view(model_admin):
    """The view behind /admin/scheduling/appointment/day/ (AppointmentAdmin.get_urls)."""

    def view(request):
        if not model_admin.has_view_permission(request):
            raise PermissionDenied
        day, valid = parse_day(request.GET.get("date"))
        today = timezone.localdate()
        back = f"{request.path}?{urlencode({'date': day.isoformat()})}"
        can_add = model_admin.has_add_permission(request)
        can_change = model_admin.has_change_permission(request)
        context = {
            **model_admin.admin_site.each_context(request),
            "title": _("Day schedule — %(day)s") % {"day": date_format(day, "l d F Y")},
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
            "can_add": can_add,
            "back": back,
            "zone": selectors.clinic_zone().key,
            **build_schedule(request.user, day, can_add=can_add, can_change=can_change, back=back),
        }
        return TemplateResponse(request, "admin/scheduling/day_schedule.html", context)

    return view


def day_schedule_pdf_view(model_admin):
    """The page's "Print / PDF": /admin/scheduling/appointment/day/pdf/?date=YYYY-MM-DD,
    the same doctors and day as a downloadable PDF (scheduling/schedule_pdf.py)."""

    def view(request):
        if not model_admin.has_view_permission(request):
            raise PermissionDenied
        day, valid = parse_day(request.GET.get("date"))
        if not valid:
            return HttpResponseBadRequest(_("Not a date: use YYYY-MM-DD."))
        content = schedule_pdf.export_day_schedule(user=request.user, day=day, request=request)
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(True, f"schedule-{day.isoformat()}.pdf")
        response["Cache-Control"] = "no-store"
        return response

    return view
