import io
import threading
import time

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction

from clinic.models import Client
from clinic.tests.factories import ClientFactory
from config.encryption import encrypted_model_fields
from scheduling.models import Appointment
from scheduling.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db

KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()


def raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def decrypts_with(key: str, token: str) -> str:
    return Fernet(key).decrypt(token.encode()).decode()


def rotate(*args) -> str:
    out = io.StringIO()
    call_command("rotate_field_keys", *args, stdout=out)
    return out.getvalue()


def test_every_encrypted_column_is_found():
    found = {model: names for model, names in encrypted_model_fields()}
    assert found[Client] == ["medical_history", "notes"]
    assert found[Appointment] == ["reason", "notes", "cancel_reason"]


def test_rotation_re_encrypts_under_the_newest_key_and_old_rows_read_meanwhile(settings, db):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    clients = [ClientFactory(medical_history=f"History {n}", notes=f"Note {n}") for n in range(5)]
    visit = AppointmentFactory(client=clients[0], notes="Bring the x-rays")
    untouched_at = Client.objects.get(pk=clients[0].pk).updated_at

    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    assert Client.objects.get(pk=clients[3].pk).medical_history == "History 3"
    assert Appointment.objects.get(pk=visit.pk).notes == "Bring the x-rays"

    output = rotate("--batch-size", "2")

    assert "clinic.Client: 5 re-encrypted, 0 already current" in output
    assert "scheduling.Appointment: 1 re-encrypted, 0 already current" in output
    for n, client in enumerate(clients):
        assert decrypts_with(KEY_B, raw("clinic_client", "medical_history", client.pk)) == f"History {n}"
        assert decrypts_with(KEY_B, raw("clinic_client", "notes", client.pk)) == f"Note {n}"
    assert decrypts_with(KEY_B, raw("scheduling_appointment", "notes", visit.pk)) == "Bring the x-rays"
    with pytest.raises(InvalidToken):
        decrypts_with(KEY_A, raw("clinic_client", "notes", clients[0].pk))
    assert Client.objects.get(pk=clients[0].pk).updated_at == untouched_at

    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]
    assert Client.objects.get(pk=clients[4].pk).notes == "Note 4"


def test_rotation_is_safe_to_run_again(settings, db):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    client = ClientFactory(notes="Keep me")
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    rotate()
    first_token = raw("clinic_client", "notes", client.pk)

    output = rotate("--batch-size", "1")

    assert "clinic.Client: 0 re-encrypted, 1 already current" in output
    assert raw("clinic_client", "notes", client.pk) == first_token
    assert Client.objects.get(pk=client.pk).notes == "Keep me"


def test_a_value_no_key_reads_stops_the_run_naming_only_the_row(settings, db):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    lost = ClientFactory(notes="Lost marker")
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]

    with pytest.raises(CommandError) as error:
        rotate()

    assert f"id={lost.pk}" in str(error.value)
    assert "marker" not in str(error.value)


def test_batch_size_must_be_positive(db):
    with pytest.raises(CommandError):
        rotate("--batch-size", "0")


@pytest.mark.django_db(transaction=True)
def test_an_edit_made_during_rotation_is_not_lost(settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    client = ClientFactory(notes="Before")
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    locked, done = threading.Event(), threading.Event()

    def edit_while_rotation_runs():
        try:
            with transaction.atomic():
                row = Client.objects.select_for_update().get(pk=client.pk)
                locked.set()
                time.sleep(0.3)  # rotation is now waiting on this row
                row.notes = "Edited meanwhile"
                row.save(update_fields=["notes"])
        finally:
            connections.close_all()
            done.set()

    editor = threading.Thread(target=edit_while_rotation_runs)
    editor.start()
    assert locked.wait(5)
    rotate()
    editor.join(5)

    assert done.is_set()
    assert Client.objects.get(pk=client.pk).notes == "Edited meanwhile"
    assert decrypts_with(KEY_B, raw("clinic_client", "notes", client.pk)) == "Edited meanwhile"
