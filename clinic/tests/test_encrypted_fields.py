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


def test_clinical_text_written_through_the_api_never_reaches_the_column(world, api):
    created = api(world.staff).post(
        "/api/v1/clients/",
        {"first_name": "Ada", "last_name": "Byron", "medical_history": "Plaintext-history"},
        format="json",
    )
    client_id = created.json()["id"]
    patched = api(world.doctor).patch(
        f"/api/v1/clients/{world.client.pk}", {"notes": "Plaintext-notes"}, format="json"
    )

    assert created.status_code == 201
    assert patched.status_code == 200
    assert "Plaintext" not in raw_column(client_id, "medical_history")
    assert "Plaintext" not in raw_column(world.client.pk, "notes")
    assert Client.objects.get(pk=client_id).medical_history == "Plaintext-history"
    assert Client.objects.get(pk=world.client.pk).notes == "Plaintext-notes"
