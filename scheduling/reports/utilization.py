"""The utilization report's rules, one place for the API, the CSV and the admin page.

- The range is `first`..`last`: local dates in TIME_ZONE, both included, at
  most MAX_RANGE_DAYS days.
- A period is a local day, or an ISO week (Monday to Sunday) clipped to the range.
- Working minutes: the doctor's weekly working hours on each local day of the
  period, as real instants (a 23- or 25-hour day counts what it has), less
  their time off.
- Booked minutes: the length of the visits that start in the period and hold
  their slot (neither cancelled nor no_show, as `BLOCKS_SLOT` says).
- Appointments: every visit that starts in the period, by status.

Queries: the doctors (none for a doctor's own report), their working hours,
their time off, and one aggregate over appointments, whatever the range."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Aggregate, Count, DateField, DurationField, F, Q, Sum
from django.db.models.functions import Trunc
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from config.exceptions import DomainError
from scheduling.models import BLOCKS_SLOT, Appointment, Status, TimeOff, WorkingHours
from scheduling.selectors import clinic_zone, day_bounds, local_moment

MAX_RANGE_DAYS = 366
DAY, WEEK = "day", "week"
GROUPS = (DAY, WEEK)
# A waitlist hold (`held`) is a slot kept for an offer, not a visit: reports leave it out.
STATUSES = tuple(status for status in Status.values if status != Status.HELD)
# The visits whose outcome is known: the patient came, or did not.
OUTCOME_KNOWN = (Status.CHECKED_IN, Status.COMPLETED, Status.NO_SHOW)


class InvalidRange(DomainError):
    status_code = 400
    default_detail = _("`to` is before `from`.")
    default_code = "invalid_range"


class RangeTooLong(DomainError):
    status_code = 400
    default_detail = format_lazy(_("The range is longer than {days} days."), days=MAX_RANGE_DAYS)
    default_code = "range_too_long"


class Median(Aggregate):
    """PostgreSQL's PERCENTILE_CONT(0.5): the middle value, or the mean of the two middle ones."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"


def no_appointments() -> dict[str, int]:
    return dict.fromkeys(STATUSES, 0)


@dataclass
class Row:
    """One doctor's figures over one period (or, summed, over several: `combined`)."""

    doctor: int | None
    period_start: date
    period_end: date
    working_minutes: int = 0
    booked_minutes: int = 0
    appointments: dict[str, int] = field(default_factory=no_appointments)
    median_lead_time_hours: float | None = None

    @property
    def utilization(self) -> float:
        """Booked over working minutes, at most 1; 0 without working minutes."""
        if self.working_minutes <= 0:
            return 0.0
        return round(min(self.booked_minutes / self.working_minutes, 1.0), 4)

    @property
    def no_show_rate(self) -> float:
        """No-shows among the visits whose outcome is known (checked in, completed, no-show)."""
        known = sum(self.appointments[status] for status in OUTCOME_KNOWN)
        return round(self.appointments[Status.NO_SHOW] / known, 4) if known else 0.0

    @property
    def cancellation_rate(self) -> float:
        """Cancelled among all the period's appointments."""
        total = sum(self.appointments.values())
        return round(self.appointments[Status.CANCELLED] / total, 4) if total else 0.0


@dataclass
class Report:
    first: date
    last: date
    group: str
    doctors: list[User]
    rows: list[Row]

    @property
    def time_zone(self) -> str:
        return clinic_zone().key


def check_range(first: date, last: date) -> None:
    if last < first:
        raise InvalidRange
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise RangeTooLong


def report_doctors(user, doctor_id: int | None) -> list[User]:
    """Whose figures `user` may read: admin and staff any doctor's (every active
    doctor when none is named), a doctor only their own; anyone else nobody's."""
    if user.is_clinic_staff:
        doctors = User.objects.filter(role=Role.DOCTOR, is_superuser=False)
        if doctor_id is None:
            return list(doctors.filter(is_active=True).order_by("id"))
        return list(doctors.filter(pk=doctor_id))
    if user.is_doctor and doctor_id in (None, user.pk):
        return [user]
    raise PermissionDenied


def periods(first: date, last: date, group: str) -> list[tuple[date, date]]:
    """(start, end) of each period, both included, clipped to the range."""
    spans, start = [], first
    while start <= last:
        end = start if group == DAY else min(start + timedelta(days=6 - start.weekday()), last)
        spans.append((start, end))
        start = end + timedelta(days=1)
    return spans


def utilization_report(
    *, user, first: date, last: date, doctor_id: int | None = None, group: str = DAY
) -> Report:
    """Every doctor `user` may read (or the one named) x every period of the
    range, zeros included, ordered by doctor id then period."""
    check_range(first, last)
    doctors = report_doctors(user, doctor_id)
    ids = [doctor.pk for doctor in doctors]
    spans = periods(first, last, group)

    def start_of(day: date) -> date:
        return day if group == DAY else max(day - timedelta(days=day.weekday()), first)

    rows = {(doctor, start): Row(doctor, start, end) for doctor in ids for start, end in spans}
    if ids:
        worked = defaultdict(float)  # in seconds: time off need not end on a minute
        for (doctor, day), seconds in _working_seconds(ids, first, last).items():
            worked[doctor, start_of(day)] += seconds
        for key, seconds in worked.items():
            rows[key].working_minutes = round(seconds / 60)
        for found in appointment_figures(ids, first, last, group):
            row = rows[found["doctor_id"], start_of(found["period"])]
            row.booked_minutes = found["booked"]
            row.appointments = {status: found[f"n_{status}"] for status in STATUSES}
            lead = found["lead"]
            row.median_lead_time_hours = None if lead is None else round(lead.total_seconds() / 3600, 2)
    return Report(first=first, last=last, group=group, doctors=doctors, rows=list(rows.values()))


def _working_seconds(doctor_ids: list[int], first: date, last: date) -> dict[tuple[int, date], float]:
    """(doctor, local day) -> seconds inside a working block and outside time off (two queries)."""
    start, end = day_bounds(first)[0], day_bounds(last)[1]
    weekly = defaultdict(list)
    hours = WorkingHours.objects.filter(doctor_id__in=doctor_ids).order_by()
    for doctor, weekday, begins, ends in hours.values_list("doctor_id", "weekday", "start", "end"):
        weekly[weekday].append((doctor, begins, ends))
    away = defaultdict(list)
    time_off = TimeOff.objects.filter(doctor_id__in=doctor_ids, starts_at__lt=end, ends_at__gt=start)
    for doctor, off_start, off_end in time_off.order_by("starts_at").values_list(
        "doctor_id", "starts_at", "ends_at"
    ):
        away[doctor].append((off_start, off_end))
    merged = {doctor: _merged(spans) for doctor, spans in away.items()}
    seconds = defaultdict(float)
    day = first
    while day <= last:
        for doctor, begins, ends in weekly[day.weekday()]:
            block = (local_moment(day, begins).astimezone(UTC), local_moment(day, ends).astimezone(UTC))
            worked = (block[1] - block[0]).total_seconds() - _overlap(block, merged.get(doctor, []))
            seconds[doctor, day] += worked
        day += timedelta(days=1)
    return seconds


def _merged(spans: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """Sorted spans with the overlapping ones joined, so no minute off counts twice."""
    joined: list[tuple[datetime, datetime]] = []
    for start, end in spans:
        if joined and start <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(joined[-1][1], end))
        else:
            joined.append((start, end))
    return joined


def _overlap(block: tuple[datetime, datetime], spans: list[tuple[datetime, datetime]]) -> float:
    return sum(max((min(end, block[1]) - max(start, block[0])).total_seconds(), 0.0) for start, end in spans)


def appointment_figures(doctor_ids: list[int], first: date, last: date, group: str):
    """One row per doctor and period that has appointments (the one aggregate query)."""
    start, end = day_bounds(first)[0], day_bounds(last)[1]
    by_status = {f"n_{status}": Count("id", filter=Q(status=status)) for status in STATUSES}
    period = Trunc("starts_at", group, output_field=DateField(), tzinfo=clinic_zone())
    return (
        Appointment.objects.filter(doctor_id__in=doctor_ids, starts_at__gte=start, starts_at__lt=end)
        .exclude(status=Status.HELD)
        .annotate(period=period)
        .values("doctor_id", "period")
        .annotate(
            booked=Sum("duration_minutes", filter=BLOCKS_SLOT, default=0),
            lead=Median(F("starts_at") - F("created_at"), output_field=DurationField()),
            **by_status,
        )
        .order_by()
    )


def combined(rows: list[Row], *, doctor: int | None, period_start: date, period_end: date) -> Row:
    """Several rows as one (a doctor's whole range, or every doctor's period): sums
    and rates; no median, which the rows' medians do not give."""
    total = Row(doctor, period_start, period_end)
    for row in rows:
        total.working_minutes += row.working_minutes
        total.booked_minutes += row.booked_minutes
        for status, count in row.appointments.items():
            total.appointments[status] += count
    return total
