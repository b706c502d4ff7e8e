"""The series step of seed_demo (config/demo.py): weekly follow-ups for the
demo patient with the first doctor, from next week on, booked through
`services.create_series` like any series (every booking rule, reminders, the
confirmation, the audit row).

The visits seed_demo copies in fill most of the doctors' grid, so the series
takes the first time of next week (Monday 08:00, then each half hour, then
the next day) that is free for the doctor and the patient in every week of
it; a doctor with none leaves it to the next (a large seed), and when no
doctor has one the series is left out and the command says so. Made once:
a database that holds a series gets no other."""

from datetime import date, datetime, timedelta

from django.utils import timezone

from accounts.models import User
from clinic.models import Client
from config.demo import DemoRun
from scheduling.demo import DAY_START, SLOT_MINUTES, SLOTS_PER_DAY
from scheduling.models import Appointment, AppointmentType
from scheduling.selectors import local_moment
from scheduling.series.exceptions import SeriesConflict
from scheduling.series.models import AppointmentSeries
from scheduling.series.rules import occurrences
from scheduling.series.services import create_series

RULE = "FREQ=WEEKLY;COUNT=6"
VISIT_TYPE = "Follow-up"  # scheduling.demo.VISIT_TYPES: 15 minutes and a 5-minute buffer after
REASON = "Follow-up"  # one of scheduling.demo.REASONS, as every demo visit's
DOCTORS_TRIED = 10


def seed_series(run: DemoRun) -> None:
    run.created["appointment_series"] = 0
    client = _demo_patient()
    if AppointmentSeries.objects.exists() or client is None:
        return
    visit_type = AppointmentType.objects.filter(name=VISIT_TYPE, active=True).first()
    for doctor in User.objects.filter(pk__in=run.doctor_ids[:DOCTORS_TRIED]).order_by("id"):
        starts_at = free_weekly_start(doctor, client, visit_type)
        if starts_at is None:
            continue
        try:
            create_series(
                client=client,
                doctor=doctor,
                starts_at=starts_at,
                rrule=RULE,
                created_by=None,
                appointment_type=visit_type,
                reason=REASON,
            )
        except SeriesConflict:  # hours other than the demo's: the next doctor
            continue
        run.created["appointment_series"] = 1
        return
    run.notes.append("no weekly time from next week on is free for a demo series; none was made")


def _demo_patient() -> Client | None:
    """The demo `patient` account's record (it sees its series when signed
    in), else the first client."""
    clients = Client.objects.filter(is_archived=False).order_by("id")
    return clients.filter(user__username__iexact="patient").first() or clients.first()


def free_weekly_start(doctor: User, client: Client, visit_type: AppointmentType | None) -> datetime | None:
    """The first start of next week whose every weekly visit (RULE) is clear
    of the doctor's held time and the client's visits; None if there is none."""
    length = timedelta(minutes=visit_type.duration_minutes if visit_type else SLOT_MINUTES)
    before = timedelta(minutes=visit_type.buffer_before_minutes if visit_type else 0)
    after = timedelta(minutes=visit_type.buffer_after_minutes if visit_type else 0)
    plans = [occurrences(RULE, start) for start in _next_week_starts(timezone.localdate())]
    first, last = plans[0][0] - before, plans[-1][-1] + length + after
    live = Appointment.objects.active()
    doctor_busy = list(
        live.filter(doctor=doctor).holding(first, last).values_list("blocked_from", "blocked_until")
    )
    client_busy = list(
        live.filter(client=client).overlapping(first, last).values_list("starts_at", "ends_at")
    )
    for plan in plans:
        if all(
            _clear(moment - before, moment + length + after, doctor_busy)
            and _clear(moment, moment + length, client_busy)
            for moment in plan
        ):
            return plan[0]
    return None


def _next_week_starts(today: date) -> list[datetime]:
    monday = today + timedelta(days=7 - today.weekday())
    day_start = datetime.combine(monday, DAY_START)
    return [
        local_moment(monday + timedelta(days=day), (day_start + timedelta(minutes=SLOT_MINUTES * n)).time())
        for day in range(5)
        for n in range(SLOTS_PER_DAY)
    ]


def _clear(start: datetime, end: datetime, busy: list[tuple[datetime, datetime]]) -> bool:
    return all(end <= taken_from or taken_until <= start for taken_from, taken_until in busy)
