"""The clinic step of seed_demo (config/demo.py): the demo patient's record,
then clients up to the total asked, spread over the doctors, loaded with
PostgreSQL COPY (clinical text sealed with the field key, as the model would)."""

from datetime import date, timedelta

from django.db import connection
from django.utils import timezone

from accounts.audit import record_event
from accounts.models import AuditAction, User
from clinic.models import Client
from config.crypto import field_fernet
from config.demo import FIRST_NAMES, LAST_NAMES, DemoRun

COLUMNS = (
    "first_name, last_name, email, phone, date_of_birth, gender, address, medical_history, notes, "
    "assigned_doctor_id, is_archived, created_at, updated_at"
)


def seed_clients(run: DemoRun) -> None:
    link_demo_patient()
    count = max(0, run.clients - Client.objects.count())
    run.created["clients"] = copy_clients(count, run)
    if count:
        record_event(action=AuditAction.CREATE, object_type="seed_demo:clients", object_id=count)
        run.analyze.append(Client._meta.db_table)


def link_demo_patient() -> None:
    """The demo `patient` account signs in to its own record."""
    user = User.objects.filter(username__iexact="patient", client__isnull=True).first()
    if user is not None:
        Client.objects.create(first_name="Pat", last_name="Patient", email=user.email, user=user)


def copy_clients(count: int, run: DemoRun) -> int:
    if count <= 0:
        return 0
    rng, doctor_ids, now = run.rng, run.doctor_ids, timezone.now()
    empty = field_fernet().encrypt(b"").decode()
    history = field_fernet().encrypt(b"No known allergies.").decode()
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY clinic_client ({COLUMNS}) FROM STDIN") as copy,
    ):
        for n in range(count):
            first, last = (
                FIRST_NAMES[rng.randrange(len(FIRST_NAMES))],
                LAST_NAMES[rng.randrange(len(LAST_NAMES))],
            )
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
