"""The admin's day schedule: one local day, a column per doctor the user may
see, a row per 30-minute slot, booked appointments as blocks coloured by
status with their visit type's colour, kind and room, the buffers they keep
free around them as lighter bands, free working slots to click to book, time
off, a day off and hours outside the working blocks shaded, and a line at
"now".

The grid is real time: each row is 30 minutes after the one above it, labelled
with the clinic's wall-clock time (scheduling.wall_clock), and every block is
placed by the minutes elapsed since the grid's first instant. On the day the
clocks go forward the skipped hour has no rows; on the day they go back the
repeated hour's rows come twice, each labelled with its UTC offset. Working
hours are wall-clock times, turned into instants as availability does
(selectors.local_moment).

Server-rendered (templates/admin/scheduling/day_schedule.html); reads through
scheduling.selectors, three queries whatever the number of bookings."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
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
from scheduling.wall_clock import clock, iso_minutes, local

SLOT_MINUTES = 30
SLOT = timedelta(minutes=SLOT_MINUTES)
SLOT_PX = 34  # the height of one slot row
DEFAULT_HOURS = (time(8), time(18))  # when nobody works that day
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
    buffers: list[Block] = field(default_factory=list)
    shaded: list[Block] = field(default_factory=list)
    free: list[Block] = field(default_factory=list)


@dataclass(frozen=True)
class Grid:
    """The rows of real time from `first` to `last`, each SLOT long."""

    day: date
    first: datetime
    last: datetime

    @cached_property
    def rows(self) -> list[datetime]:
        count = int((self.last - self.first) / SLOT)
        return [self.first + index * SLOT for index in range(count)]

    def place(self, start: datetime, end: datetime, *, gap=False, min_height=14, **kwargs) -> Block:
        """A block from `start` to `end`, cut to the grid, by real elapsed minutes."""
        start, end = max(start, self.first), min(end, self.last)
        top = _px(start - self.first)
        height = max(_px(end - start), min_height)
        if gap:  # back-to-back visits stay two blocks
            top, height = top + 1, height - 3
        return Block(top=top, height=height, **kwargs)

    def period(self, start: datetime, end: datetime) -> str:
        """Start and end of a period cut to the day, as HH:MM (the day's end: 24:00)."""
        day_start, day_end = selectors.day_bounds(self.day)
        start, end = max(start, day_start), min(end, day_end)
        return f"{clock(start)}{DASH}{clock(end) if end < day_end else '24:00'}"


def _px(elapsed: timedelta) -> int:
    return int(elapsed.total_seconds() // 60) * SLOT_PX // SLOT_MINUTES


def parse_day(raw: str | None) -> tuple[date, bool]:
    """`?date=YYYY-MM-DD`, or today in the clinic's zone (False: the value was not a date)."""
    today = timezone.localdate()
    if not raw:
        return today, True
    try:
        return date.fromisoformat(raw), True
    except ValueError:
        return today, False


def _slot_floor(moment: datetime) -> datetime:
    """The start of the wall-clock half hour `moment` falls in (:00 or :30)."""
    shown = local(moment)
    return moment - timedelta(
        minutes=shown.minute % SLOT_MINUTES, seconds=shown.second, microseconds=shown.microsecond
    )


def _slot_ceiling(moment: datetime) -> datetime:
    floor = _slot_floor(moment)
    return floor if floor == moment else floor + SLOT


def _grid(day: date, worked, appointments) -> Grid:
    """From the earliest working block or held time of the day to the latest,
    in whole wall-clock half hours; 08:00-18:00 when nobody works."""
    day_start, day_end = selectors.day_bounds(day)
    periods = [block for blocks in worked.values() for block in blocks]
    if not periods:
        periods = [tuple(selectors.local_moment(day, at) for at in DEFAULT_HOURS)]
    periods += [appointment.held_range for appointment in appointments]
    first = max(day_start, _slot_floor(min(start for start, _ in periods)))
    last = min(day_end, _slot_ceiling(max(end for _, end in periods)))
    return Grid(day=day, first=first, last=max(first, last))


def _worked(day: date, hours) -> dict[int, list[tuple[datetime, datetime]]]:
    """Per doctor, the day's working blocks as instants, in order."""
    worked: dict[int, list[tuple[datetime, datetime]]] = {}
    for block in hours:
        start, end = selectors.local_moment(day, block.start), selectors.local_moment(day, block.end)
        if end > start:  # a block inside the hour the clocks skip holds no time
            worked.setdefault(block.doctor_id, []).append((start, end))
    return {doctor_id: sorted(blocks) for doctor_id, blocks in worked.items()}


def build_schedule(
    user, day: date, *, can_add: bool = False, can_change: bool = False, back: str = ""
) -> dict:
    """The page's grid. `can_add` offers the free slots as booking links,
    `can_change` the status buttons; both come back to `back` (this page)."""
    doctors = list(selectors.schedule_doctors(user))
    ids = [doctor.pk for doctor in doctors]
    appointments = list(selectors.day_appointments(user, day, ids))
    time_off = list(selectors.day_time_off(day, ids))
    worked = _worked(day, selectors.day_working_hours(day, ids))
    grid = _grid(day, worked, appointments)

    columns = {doctor.pk: Column(doctor=doctor) for doctor in doctors}
    for doctor_id, column in columns.items():
        _shade_off_hours(grid, column, worked.get(doctor_id, []))
    for period in time_off:
        if period.ends_at > grid.first and period.starts_at < grid.last:
            label = _("Time off %(period)s") % {"period": grid.period(period.starts_at, period.ends_at)}
            columns[period.doctor_id].shaded.append(
                grid.place(period.starts_at, period.ends_at, css="time-off", label=label)
            )
    for appointment in appointments:
        column = columns[appointment.doctor_id]
        column.appointments.append(_visit_block(grid, appointment, can_change))
        column.buffers += _buffer_blocks(grid, appointment)
    if can_add:
        busy = _busy(appointments, time_off)
        now = timezone.now()
        for doctor_id, column in columns.items():
            for start in _free_starts(grid, worked.get(doctor_id, []), busy.get(doctor_id, []), now):
                url = _booking_url(column.doctor, start, back)
                column.free.append(
                    grid.place(start, start + SLOT, css="free-slot", time=clock(start), url=url)
                )
    slots = [clock(row) for row in grid.rows]
    return {
        "columns": list(columns.values()),
        "slots": slots,
        "grid_height": len(slots) * SLOT_PX,
        "slot_px": SLOT_PX,
        "appointment_count": len(appointments),
        "now_top": _now_top(grid),
        "clock_change": _clock_change(day),
    }


def _shade_off_hours(grid: Grid, column: Column, worked) -> None:
    """A day off shaded whole, else the gaps around the working blocks."""
    column.works_today = bool(worked)
    if not worked:
        column.shaded.append(grid.place(grid.first, grid.last, css="day-off", label=_("Day off")))
        return
    cursor = grid.first
    for start, end in worked:
        if start > cursor:
            column.shaded.append(grid.place(cursor, start, css="off-hours"))
        cursor = max(cursor, end)
    if cursor < grid.last:
        column.shaded.append(grid.place(cursor, grid.last, css="off-hours"))


def _visit_block(grid: Grid, appointment, can_change: bool) -> Block:
    client = appointment.client
    name = f"{client.first_name} {client.last_name}"
    status = str(STATUS_LABELS.get(appointment.status, appointment.status))
    when = grid.period(appointment.starts_at, appointment.ends_at)
    visit_type, room = appointment.appointment_type, appointment.room
    kind = " · ".join(part.name for part in (visit_type, room) if part is not None)
    return grid.place(
        appointment.starts_at,
        appointment.ends_at,
        gap=True,
        label=name,
        css=f"status-{appointment.status}",
        url=reverse("admin:scheduling_appointment_change", args=[appointment.pk]),
        time=when,
        title=" · ".join(part for part in (when, status, kind, name) if part),
        pk=appointment.pk,
        reason=appointment.reason,
        status=status,
        kind=kind,
        color=visit_type.color if visit_type else "",
        actions=_actions(appointment) if can_change else [],
    )


def _buffer_blocks(grid: Grid, appointment) -> list[Block]:
    """The doctor's time kept free before and after the visit (its type's
    buffers, as booked): a band each, titled with its length."""
    held_from, held_until = appointment.held_range
    color = appointment.appointment_type.color if appointment.appointment_type else ""
    bands = []
    for start, end, minutes in (
        (held_from, appointment.starts_at, appointment.buffer_before_minutes),
        (appointment.ends_at, held_until, appointment.buffer_after_minutes),
    ):
        if minutes and end > grid.first and start < grid.last:
            title = _("Buffer %(minutes)s min") % {"minutes": minutes}
            bands.append(grid.place(start, end, min_height=3, css="buffer", title=title, color=color))
    return bands


def _actions(appointment) -> list[tuple[str, str]]:
    return [
        (action, services.STATUS_ACTION_LABELS[action]) for action in services.allowed_actions(appointment)
    ]


def _busy(appointments, time_off) -> dict[int, list[tuple[datetime, datetime]]]:
    """Per doctor, the instants taken by visits (with their buffers) or time off."""
    busy: dict[int, list[tuple[datetime, datetime]]] = {}
    periods = [(a.doctor_id, *a.held_range) for a in appointments]
    periods += [(period.doctor_id, period.starts_at, period.ends_at) for period in time_off]
    for doctor_id, starts_at, ends_at in periods:
        busy.setdefault(doctor_id, []).append((starts_at, ends_at))
    return busy


def _free_starts(grid: Grid, worked, busy, now: datetime) -> list[datetime]:
    """The rows that start a slot inside a working block, clear of `busy`, not yet begun."""
    return [
        row
        for row in grid.rows
        if row > now
        and any(start <= row and row + SLOT <= end for start, end in worked)
        and not any(b_start < row + SLOT and row < b_end for b_start, b_end in busy)
    ]


def _booking_url(doctor, start: datetime, back: str) -> str:
    """The booking form with the doctor and time filled in, coming back to
    `back`; the time carries its UTC offset, so it names one instant even in
    the hour that comes twice."""
    query = {"doctor": doctor.pk, "starts_at": iso_minutes(start), "next": back}
    return f"{reverse('admin:scheduling_appointment_add')}?{urlencode(query)}"


def _now_top(grid: Grid) -> int | None:
    """Where the "now" line goes, when now is on the grid."""
    now = timezone.now()
    if not grid.first <= now < grid.last:
        return None
    return _px(now - grid.first)


def _clock_change(day: date) -> str:
    """A note for the two days a year the clinic's clocks change, else ""."""
    day_start, day_end = selectors.day_bounds(day)
    length = day_end - day_start
    if length < timedelta(hours=24):
        return _("The clocks go forward this day: the hour they skip has no rows.")
    if length > timedelta(hours=24):
        return _("The clocks go back this day: the hour that comes twice shows its UTC offset.")
    return ""


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
