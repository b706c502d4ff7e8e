"""An appointment's reason is PHI: the column holds a Fernet token, never the
text; the API reads and writes it unchanged; rotation and the migration that
encrypted the existing rows handle it (API.md, "Appointments")."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from config.crypto import field_fernet
from scheduling.demo import REASONS
from scheduling.models import Appointment
from scheduling.tests.factories import AppointmentFactory, next_slot
from scheduling.tests.helpers import booking

URL = "/api/v1/appointments/"
REASON = "Chest pain since Tuesday"
KEY_B = Fernet.generate_key().decode()
BEFORE, ENCRYPTED = (
    ("scheduling", "0004_list_order_indexes"),
    ("scheduling", "0005_appointment_reason_encrypted"),
)


def stored_reason(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reason FROM scheduling_appointment WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def decrypts_with(key: str, token: str) -> str:
    return Fernet(key).decrypt(token.encode()).decode()


def decrypted(token: str) -> str:
    return field_fernet().decrypt(token.encode()).decode()


@pytest.mark.django_db
def test_the_api_round_trips_a_reason_the_column_never_holds(world, api):
    created = api(world.staff).post(URL, booking(world, next_slot(), reason=REASON), format="json")
    assert created.status_code == 201
    pk = created.json()["id"]
    assert created.json()["reason"] == REASON
    assert api(world.doctor).get(f"{URL}{pk}").json()["reason"] == REASON
    assert REASON not in stored_reason(pk)
    assert decrypted(stored_reason(pk)) == REASON

    changed = api(world.staff).patch(f"{URL}{pk}", {"reason": "Follow-up on the ECG"}, format="json")
    assert changed.status_code == 200
    assert changed.json()["reason"] == "Follow-up on the ECG"
    assert "ECG" not in stored_reason(pk)
    assert decrypted(stored_reason(pk)) == "Follow-up on the ECG"
    assert Appointment.objects.get(pk=pk).reason == "Follow-up on the ECG"


@pytest.mark.django_db
def test_a_reason_longer_than_500_characters_is_400(world, api):
    response = api(world.staff).post(URL, booking(world, next_slot(), reason="x" * 501), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert "reason" in response.json()["errors"]
    assert not Appointment.objects.exists()


@pytest.mark.django_db
def test_rotation_re_encrypts_the_reason(world, settings):
    visit = AppointmentFactory(client=world.client, doctor=world.doctor, reason=REASON)
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, *settings.FIELD_ENCRYPTION_KEYS]
    assert Appointment.objects.get(pk=visit.pk).reason == REASON  # read under the old key meanwhile

    call_command("rotate_field_keys", stdout=io.StringIO())

    assert decrypts_with(KEY_B, stored_reason(visit.pk)) == REASON
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]
    assert Appointment.objects.get(pk=visit.pk).reason == REASON


@pytest.mark.django_db
def test_demo_data_stores_its_reasons_encrypted():
    call_command("seed_demo", doctors=2, clients=10, appointments=40)
    assert {visit.reason for visit in Appointment.objects.all()} <= set(REASONS)
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT reason FROM scheduling_appointment")
        stored = {row[0] for row in cursor.fetchall()}
    assert stored.isdisjoint(REASONS)
    assert {decrypted(token) for token in stored} <= set(REASONS)


def migrate(target: tuple[str, str]) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([target])


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_existing_reasons_and_back(world):
    visits = [AppointmentFactory(client=world.client, doctor=world.doctor) for _ in range(3)]
    migrate(BEFORE)
    try:
        with connection.cursor() as cursor:
            for n, visit in enumerate(visits):
                cursor.execute(
                    "UPDATE scheduling_appointment SET reason = %s WHERE id = %s", [f"{REASON} {n}", visit.pk]
                )
        migrate(ENCRYPTED)
        for n, visit in enumerate(visits):
            assert decrypted(stored_reason(visit.pk)) == f"{REASON} {n}"
            assert Appointment.objects.only("reason").get(pk=visit.pk).reason == f"{REASON} {n}"

        migrate(BEFORE)
        assert [stored_reason(visit.pk) for visit in visits] == [f"{REASON} {n}" for n in range(3)]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
