"""The scheduling step of seed_demo (config/demo.py): a few visit types and
rooms, working hours for every doctor, then appointments loaded with
PostgreSQL COPY (each a consultation: 30 minutes, no buffers, no room).

Appointments sit on a 30-minute grid inside the doctors' working hours, so
no two of a doctor's visits overlap; at one grid slot each doctor sees a
different client, so no client is double-booked either.
"""

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.utils import timezone

from accounts.audit import record_event
from accounts.models import AuditAction
from clinic.models import Client
from config.crypto import field_fernet
from config.demo import DemoRun
from scheduling.models import (
    INACTIVE_STATUSES,
    Appointment,
    AppointmentType,
    Reminder,
    ReminderStatus,
    Room,
    Status,
    WorkingHours,
)
from scheduling.reminders.services import new_job_id

DAY_START, DAY_END, SLOT_MINUTES = time(8, 0), time(18, 0), 30
SLOTS_PER_DAY = (DAY_END.hour - DAY_START.hour) * 60 // SLOT_MINUTES
OCCUPANCY = 0.6  # share of grid slots booked: leaves free slots for availability
# The reminders a demo shows: those of the last two days' visits and the next two weeks'.
REMINDERS_BACK, REMINDERS_AHEAD = timedelta(days=2), timedelta(days=14)
REASONS = ["Check-up", "Follow-up", "Vaccination", "Blood test", "Consultation", "Prescription renewal"]
# name: (minutes, buffer before, buffer after, colour, patients may book, needs a room)
VISIT_TYPES = {
    "Consultation": (30, 0, 0, "#4a90d9", True, False),
    "Follow-up": (15, 0, 5, "#50b87a", True, False),
    "Vaccination": (15, 5, 10, "#e0a03c", True, False),
    "Minor procedure": (60, 15, 15, "#c0504d", False, True),
}
ROOMS = ["Room 1", "Room 2", "Treatment room"]
SEEDED_TYPE = "Consultation"  # the type of every COPY'd visit: its length is SLOT_MINUTES, no buffers


def seed_appointments(run: DemoRun) -> None:
    run.created["appointment_types"], run.created["rooms"] = ensure_types_and_rooms()
    ensure_working_hours(run.doctor_ids)
    run.created["appointments"] = copy_appointments(run.appointments, run.doctor_ids, run.rng)
    if run.created["appointments"]:
        record_event(
            action=AuditAction.CREATE,
            object_type="seed_demo:appointments",
            object_id=run.created["appointments"],
        )
        run.analyze.append(Appointment._meta.db_table)
    run.created["reminders"] = seed_reminders(timezone.now())


def seed_reminders(now: datetime) -> int:
    """Reminder rows as booking would have left them by now: sent for the times
    passed, pending (with a job id RQ does not know yet: the worker's reconcile
    enqueues them) for the times ahead, cancelled for cancelled visits."""
    window = Appointment.objects.filter(
        starts_at__gte=now - REMINDERS_BACK, starts_at__lt=now + REMINDERS_AHEAD, reminders__isnull=True
    ).only("id", "starts_at", "status")
    offsets = sorted(set(settings.REMINDER_OFFSETS_MINUTES), reverse=True)
    rows = [demo_reminder(visit, offset, now) for visit in window.iterator() for offset in offsets]
    Reminder.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def demo_reminder(appointment: Appointment, offset: int, now: datetime) -> Reminder:
    at = appointment.starts_at - timedelta(minutes=offset)
    reminder = Reminder(appointment=appointment, offset_minutes=offset, scheduled_for=at)
    if appointment.status in INACTIVE_STATUSES:
        reminder.status = ReminderStatus.CANCELLED
    elif at <= now:
        reminder.status, reminder.sent_at, reminder.attempts = ReminderStatus.SENT, at, 1
    else:
        reminder.job_id = new_job_id()
    return reminder


def ensure_types_and_rooms() -> tuple[int, int]:
    """The demo's visit types and rooms that are missing (by name); how many were made."""
    have_types = set(AppointmentType.objects.values_list("name", flat=True))
    types = AppointmentType.objects.bulk_create(
        AppointmentType(
            name=name,
            duration_minutes=minutes,
            buffer_before_minutes=before,
            buffer_after_minutes=after,
            color=color,
            patient_bookable=bookable,
            requires_room=needs_room,
        )
        for name, (minutes, before, after, color, bookable, needs_room) in VISIT_TYPES.items()
        if name not in have_types
    )
    have_rooms = set(Room.objects.values_list("name", flat=True))
    rooms = Room.objects.bulk_create(Room(name=name) for name in ROOMS if name not in have_rooms)
    return len(types), len(rooms)


def ensure_working_hours(doctor_ids: list[int]) -> None:
    have = set(WorkingHours.objects.values_list("doctor_id", flat=True))
    WorkingHours.objects.bulk_create(
        WorkingHours(doctor_id=doctor, weekday=day, start=DAY_START, end=DAY_END)
        for doctor in doctor_ids
        if doctor not in have
        for day in range(5)
    )


def grid_days(per_doctor: int) -> list[date]:
    """Working days centred on today, enough to hold `per_doctor` visits at OCCUPANCY
    (with a margin: occupancy is drawn at random, so a grid just big enough falls short)."""
    needed = int(per_doctor / (SLOTS_PER_DAY * OCCUPANCY) * 1.05) + 2
    today = timezone.localdate()
    days, offset = [], -(needed * 7 // 10)  # about 70% in the past, 30% ahead
    while len(days) < needed:
        day = today + timedelta(days=offset)
        if day.weekday() < 5:
            days.append(day)
        offset += 1
    return days


def copy_appointments(count: int, doctor_ids: list[int], rng: random.Random) -> int:
    if count <= 0 or Appointment.objects.exists():
        return 0  # the grid assumes an empty table: no overlap with what is there
    client_ids = list(Client.objects.order_by("id").values_list("id", flat=True))
    if len(client_ids) < len(doctor_ids):
        raise ValueError("need at least as many clients as doctors")
    zone, now = ZoneInfo(settings.TIME_ZONE), timezone.now()
    notes = field_fernet().encrypt(b"").decode()
    reasons = [field_fernet().encrypt(reason.encode()).decode() for reason in REASONS]
    visit_type = AppointmentType.objects.get(name=SEEDED_TYPE)
    columns = (  # buffers 0 and the held time (the database's trigger) left to the database
        "client_id, doctor_id, starts_at, duration_minutes, ends_at, appointment_type_id, "
        "status, reason, notes, created_at, updated_at"
    )
    written = 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY scheduling_appointment ({columns}) FROM STDIN") as copy,
    ):
        for slot, starts_at in enumerate(grid_starts(grid_days(count // len(doctor_ids) + 1), zone)):
            for index, doctor in enumerate(doctor_ids):
                if written == count:
                    return written
                if rng.random() > OCCUPANCY:
                    continue
                client = client_ids[(slot * len(doctor_ids) + index) % len(client_ids)]
                ends_at = starts_at + timedelta(minutes=SLOT_MINUTES)
                status = demo_status(starts_at < now, rng)
                copy.write_row(
                    (
                        client,
                        doctor,
                        starts_at,
                        SLOT_MINUTES,
                        ends_at,
                        visit_type.pk,
                        status,
                        rng.choice(reasons),
                        notes,
                        now,
                        now,
                    )
                )
                written += 1
    return written


def grid_starts(days: list[date], zone: ZoneInfo):
    for day in days:
        start = datetime.combine(day, DAY_START, tzinfo=zone)
        for n in range(SLOTS_PER_DAY):
            yield (start + timedelta(minutes=SLOT_MINUTES * n)).astimezone(UTC)


def demo_status(in_past: bool, rng: random.Random) -> str:
    roll = rng.random()
    if in_past:
        return Status.COMPLETED if roll < 0.8 else Status.CANCELLED if roll < 0.9 else Status.NO_SHOW
    return Status.SCHEDULED if roll < 0.7 else Status.CONFIRMED if roll < 0.95 else Status.CANCELLED
