"""`Client.language` (API.md, "Languages"): the language of the client's
emails, one of LANGUAGES, set through the clients API and the admin."""

import pytest

from accounts.models import AuditEvent
from clinic.models import Client
from clinic.tests.test_client_admin import CHANGELIST, NO_DOCUMENTS

pytestmark = pytest.mark.django_db


def url(client: Client) -> str:
    return f"/api/v1/clients/{client.pk}"


def test_a_record_shows_its_language(api, world):
    response = api(world.staff).get(url(world.client))
    assert response.status_code == 200 and response.json()["language"] == "en"


def test_staff_create_a_record_in_a_language(api, world):
    response = api(world.staff).post(
        "/api/v1/clients", {"first_name": "Ada", "last_name": "L", "language": "de"}
    )
    assert response.status_code == 201 and response.json()["language"] == "de"
    assert Client.objects.get(pk=response.json()["id"]).language == "de"


@pytest.mark.parametrize("role", ["staff", "admin", "patient"])
def test_staff_and_the_patient_change_the_records_language(api, world, role):
    response = api(world.user(role)).patch(url(world.client), {"language": "fr"})
    assert response.status_code == 200 and response.json()["language"] == "fr"
    world.client.refresh_from_db()
    assert world.client.language == "fr"
    assert AuditEvent.objects.get(action="update").fields == ["language"]


def test_a_doctor_may_not_change_it(api, world):
    response = api(world.doctor).patch(url(world.client), {"language": "fr"})
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    world.client.refresh_from_db()
    assert world.client.language == "en"


@pytest.mark.parametrize("value", ["xx", "FR", "fr-CA", "", None, 7, ["fr"]])
def test_a_language_outside_languages_is_400_and_nothing_changes(api, world, value):
    response = api(world.staff).patch(url(world.client), {"language": value, "phone": "555"})
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error" and list(response.json()["errors"]) == ["language"]
    world.client.refresh_from_db()
    assert world.client.language == "en" and world.client.phone != "555"


def test_the_admin_sets_the_records_language(world, browser):
    data = {
        "first_name": world.client.first_name,
        "last_name": world.client.last_name,
        "email": world.client.email,
        "phone": world.client.phone,
        "address": world.client.address,
        "gender": world.client.gender,
        "date_of_birth": world.client.date_of_birth or "",
        "medical_history": world.client.medical_history,
        "notes": world.client.notes,
        "language": "es",
        "assigned_doctor": world.doctor.pk,
        "user": world.patient.pk,
        **NO_DOCUMENTS,
    }
    response = browser.post(f"{CHANGELIST}{world.client.pk}/change/", data)
    assert response.status_code == 302
    world.client.refresh_from_db()
    assert world.client.language == "es"
    assert AuditEvent.objects.get(action="update").fields == ["language"]
    response = browser.post(f"{CHANGELIST}{world.client.pk}/change/", {**data, "language": "zz"})
    assert response.status_code == 200
    world.client.refresh_from_db()
    assert world.client.language == "es"
