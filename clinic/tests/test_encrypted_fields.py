import pytest
from django.db import connection

from clinic.models import Client

pytestmark = pytest.mark.django_db


def raw_column(client_id: int, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM clinic_client WHERE id = %s", [client_id])  # noqa: S608
        return cursor.fetchone()[0]


def test_clinical_text_is_encrypted_in_the_column_and_read_back(world):
    world.client.medical_history = "Penicillin allergy"
    world.client.notes = "Anxious about needles"
    world.client.save()
    assert "Penicillin" not in raw_column(world.client.pk, "medical_history")
    assert "needles" not in raw_column(world.client.pk, "notes")
    fresh = Client.objects.get(pk=world.client.pk)
    assert fresh.medical_history == "Penicillin allergy"
    assert fresh.notes == "Anxious about needles"
