"""`client` on the caller's own profile (`auth/me`, `users/me`, registration):
a patient's client record id, which booking needs; null for everyone else."""

import pytest

from clinic.services import archive_client
from clinic.tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

OWN_PROFILES = ["/api/v1/auth/me", "/api/v1/users/me"]


@pytest.mark.parametrize("url", OWN_PROFILES)
def test_patient_profile_names_their_client_record(api, world, url):
    response = api(world.patient).get(url)
    assert response.status_code == 200
    assert response.json()["client"] == world.client.pk


@pytest.mark.parametrize("url", OWN_PROFILES)
@pytest.mark.parametrize("role", ["admin", "staff", "doctor"])
def test_non_patient_profile_has_null_client(api, world, url, role):
    ClientFactory(user=None, assigned_doctor=world.doctor)
    response = api(world.user(role)).get(url)
    assert response.status_code == 200
    assert response.json()["client"] is None


def test_patch_users_me_answers_with_client_and_cannot_set_it(api, world):
    response = api(world.patient).patch("/api/v1/users/me", {"full_name": "New Name", "client": 999})
    assert response.status_code == 200
    assert response.json()["client"] == world.client.pk
    world.client.refresh_from_db()
    assert world.client.user_id == world.patient.pk


def test_archived_record_is_no_longer_named(api, world):
    archive_client(client=world.client, actor=world.admin)
    response = api(world.patient).get("/api/v1/auth/me")
    assert response.status_code == 200
    assert response.json()["client"] is None


def test_a_record_linked_later_is_named_at_once(api, world, django_assert_max_num_queries):
    """The id is read with the profile, not kept in the user cache, so a
    record linked by staff shows on the very next call."""
    patient = world.other_patient
    world.other_client.user = None
    world.other_client.save()
    client = api(patient)
    assert client.get("/api/v1/auth/me").json()["client"] is None
    record = ClientFactory(user=patient)
    with django_assert_max_num_queries(1):
        response = client.get("/api/v1/auth/me")
    assert response.json()["client"] == record.pk


def test_me_of_a_non_patient_costs_no_query(api, world, django_assert_max_num_queries):
    client = api(world.doctor)
    with django_assert_max_num_queries(0):
        response = client.get("/api/v1/auth/me")
    assert response.status_code == 200 and response.json()["client"] is None


def test_patient_can_book_with_the_id_from_me(api, world):
    from scheduling.models import Appointment
    from scheduling.tests.factories import next_slot

    client = api(world.patient)
    own = client.get("/api/v1/auth/me").json()["client"]
    body = {"client": own, "doctor": world.doctor.pk, "starts_at": next_slot(days=30).isoformat()}
    response = client.post("/api/v1/appointments/", body)
    assert response.status_code == 201, response.content
    assert Appointment.objects.get(pk=response.json()["id"]).client_id == world.client.pk


@pytest.mark.parametrize("role", ["patient", "doctor"])
def test_own_profile_json_is_drf_generic_json(world, role):
    from rest_framework import serializers

    from accounts.serializers import OwnProfileSerializer

    user = world.user(role)
    serializer = OwnProfileSerializer()
    assert serializer.to_representation(user) == serializers.Serializer.to_representation(serializer, user)
