"""Demo and scale data: named demo accounts, then doctors, clients and
appointments in bulk (PostgreSQL COPY), fast enough for a million visits.

Appointments sit on a 30-minute grid inside the doctors' working hours, so
no two of a doctor's visits overlap; at one grid slot each doctor sees a
different client, so no client is double-booked either.
"""

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Role, User
from clinic.models import Client
from config.crypto import field_fernet
from scheduling.models import Status, WorkingHours

DEMO_PASSWORD = "demo-password-change-me"  # noqa: S105 (development demo only)
DEMO_USERS = [
    ("admin", "admin@clinic.localhost", "Demo Admin", Role.ADMIN),
    ("dr.house", "house@clinic.localhost", "Dr. Gregory House", Role.DOCTOR),
    ("dr.grey", "grey@clinic.localhost", "Dr. Meredith Grey", Role.DOCTOR),
    ("frontdesk", "frontdesk@clinic.localhost", "Pam Front Desk", Role.STAFF),
    ("patient", "patient@clinic.localhost", "Pat Patient", Role.PATIENT),
]
DAY_START, DAY_END, SLOT_MINUTES = time(8, 0), time(18, 0), 30
SLOTS_PER_DAY = (DAY_END.hour - DAY_START.hour) * 60 // SLOT_MINUTES
OCCUPANCY = 0.6  # share of grid slots booked: leaves free slots for availability
FIRST = ["Ana", "Ben", "Chloe", "David", "Emma", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Kira", "Luca"]
LAST = [
    "Novak",
    "Okafor",
    "Perez",
    "Quinn",
    "Rossi",
    "Sato",
    "Tanaka",
    "Ueda",
    "Varga",
    "Weber",
    "Xu",
    "Young",
]
REASONS = ["Check-up", "Follow-up", "Vaccination", "Blood test", "Consultation", "Prescription renewal"]


def seed(*, doctors: int, clients: int, appointments: int, rng_seed: int = 7) -> dict[str, int]:
    """Create what is missing up to the given totals; returns what was created."""
    rng = random.Random(rng_seed)  # noqa: S311 (demo data, not secrets)
    with transaction.atomic():
        password = make_password(DEMO_PASSWORD)
        created = {"users": create_demo_users(password)}
        doctor_ids = ensure_doctors(doctors, password)
        ensure_working_hours(doctor_ids)
        created["clients"] = copy_clients(max(0, clients - Client.objects.count()), doctor_ids, rng)
        created["appointments"] = copy_appointments(appointments, doctor_ids, rng)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE clinic_client; ANALYZE scheduling_appointment;")
    return created


def create_demo_users(password: str) -> int:
    made = 0
    for username, email, full_name, role in DEMO_USERS:
        if User.objects.filter(username__iexact=username).exists():
            continue
        is_admin = role == Role.ADMIN
        user = User.objects.create(
            username=username,
            email=email,
            full_name=full_name,
            role=role,
            password=password,
            is_staff=is_admin,
            is_superuser=is_admin,
        )
        if role == Role.PATIENT:
            Client.objects.create(first_name="Pat", last_name="Patient", email=email, user=user)
        made += 1
    return made


def ensure_doctors(total: int, password: str) -> list[int]:
    existing = list(User.objects.active_doctors().values_list("id", flat=True))
    missing = max(0, total - len(existing))
    start = User.objects.count()
    User.objects.bulk_create(
        User(
            username=f"doctor{start + n}",
            email=f"doctor{start + n}@clinic.localhost",
            full_name=f"Dr. {rng_name(start + n)}",
            role=Role.DOCTOR,
            password=password,
        )
        for n in range(missing)
    )
    return list(User.objects.active_doctors().order_by("id").values_list("id", flat=True))


def rng_name(n: int) -> str:
    return f"{FIRST[n % len(FIRST)]} {LAST[(n // len(FIRST)) % len(LAST)]}"


def ensure_working_hours(doctor_ids: list[int]) -> None:
    have = set(WorkingHours.objects.values_list("doctor_id", flat=True))
    WorkingHours.objects.bulk_create(
        WorkingHours(doctor_id=doctor, weekday=day, start=DAY_START, end=DAY_END)
        for doctor in doctor_ids
        if doctor not in have
        for day in range(5)
    )


def copy_clients(count: int, doctor_ids: list[int], rng: random.Random) -> int:
    if count <= 0:
        return 0
    now = timezone.now()
    empty = field_fernet().encrypt(b"").decode()
    history = field_fernet().encrypt(b"No known allergies.").decode()
    columns = (
        "first_name, last_name, email, phone, date_of_birth, gender, address, medical_history, notes, "
        "assigned_doctor_id, is_archived, created_at, updated_at"
    )
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY clinic_client ({columns}) FROM STDIN") as copy,
    ):
        for n in range(count):
            first, last = FIRST[rng.randrange(len(FIRST))], LAST[rng.randrange(len(LAST))]
            copy.write_row(
                (
                    first,
                    last,
                    f"{first}.{last}.{n}@example.test".lower(),
                    f"+1555{n:07d}",
                    date(1940, 1, 1) + timedelta(days=rng.randrange(30000)),
                    rng.choice(["female", "male", "other", "unknown"]),
                    f"{n} Demo Street",
                    history if n % 3 else empty,
                    empty,
                    doctor_ids[n % len(doctor_ids)],
                    False,
                    now,
                    now,
                )
            )
    return count


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
    from scheduling.models import Appointment

    if count <= 0 or Appointment.objects.exists():
        return 0  # the grid assumes an empty table: no overlap with what is there
    client_ids = list(Client.objects.order_by("id").values_list("id", flat=True))
    if len(client_ids) < len(doctor_ids):
        raise ValueError("need at least as many clients as doctors")
    zone, now = ZoneInfo(settings.TIME_ZONE), timezone.now()
    notes = field_fernet().encrypt(b"").decode()
    reasons = [field_fernet().encrypt(reason.encode()).decode() for reason in REASONS]
    columns = (
        "client_id, doctor_id, starts_at, duration_minutes, ends_at, status, reason, notes, "
        "created_at, updated_at"
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
