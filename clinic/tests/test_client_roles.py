"""API.md's Clients table, role by role: who may list, read, create, change
and archive which records, and what everyone else gets."""

import pytest

from accounts.models import AuditEvent
from clinic.models import Client
from clinic.tests.factories import ClientFactory
from scheduling.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db

ROLES = ["admin", "staff", "doctor", "other_doctor", "patient", "other_patient"]


def url(client_id=None):
    return "/api/v1/clients/" if client_id is None else f"/api/v1/clients/{client_id}"


def assert_anonymous_refused(response):
    assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("admin", {"client", "other_client", "visited"}),
        ("staff", {"client", "other_client", "visited"}),
        ("doctor", {"client", "visited"}),
        ("other_doctor", {"other_client", "visited"}),
        ("patient", {"client"}),
        ("other_patient", {"other_client"}),
    ],
)
def test_list_shows_only_the_callers_records(world, api, role, sees):
    # `visited` is assigned to other_doctor but has an appointment with doctor.
    visited = ClientFactory(assigned_doctor=world.other_doctor)
    AppointmentFactory(client=visited, doctor=world.doctor)
    ClientFactory(is_archived=True, assigned_doctor=world.doctor)
    records = {"client": world.client, "other_client": world.other_client, "visited": visited}
    expected = {records[name].pk for name in sees}

    response = api(world.user(role)).get(url())

    assert response.status_code == 200
    body = response.json()
    assert {row["id"] for row in body["results"]} == expected
    assert body["count"] == len(expected)


def test_list_refuses_anonymous(world, api):
    assert_anonymous_refused(api(None).get(url()))


@pytest.mark.parametrize(
    ("role", "target", "status"),
    [
        ("admin", "client", 200),
        ("admin", "other_client", 200),
        ("staff", "other_client", 200),
        ("doctor", "client", 200),
        ("doctor", "other_client", 404),
        ("other_doctor", "client", 404),
        ("patient", "client", 200),
        ("patient", "other_client", 404),
        ("other_patient", "client", 404),
    ],
)
def test_retrieve_is_404_for_records_not_yours(world, api, role, target, status):
    record = getattr(world, target)

    response = api(world.user(role)).get(url(record.pk))

    assert response.status_code == status
    if status == 200:
        assert response.json()["id"] == record.pk
        assert response.json()["medical_history"] == "No known allergies."
        assert AuditEvent.objects.filter(action="view", object_id=str(record.pk)).count() == 1
    else:
        assert response.json()["code"] == "not_found"
        assert not AuditEvent.objects.filter(action="view").exists()


def test_doctor_sees_a_patient_they_have_an_appointment_with(world, api):
    AppointmentFactory(client=world.other_client, doctor=world.doctor)

    response = api(world.doctor).get(url(world.other_client.pk))

    assert response.status_code == 200
    assert response.json()["assigned_doctor"] == world.other_doctor.pk


def test_retrieve_refuses_anonymous(world, api):
    assert_anonymous_refused(api(None).get(url(world.client.pk)))


NEW_CLIENT = {"first_name": "Ada", "last_name": "Byron", "email": "ada@example.test", "phone": "+15550100"}


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 201), ("staff", 201), ("doctor", 403), ("other_doctor", 403), ("patient", 403)],
)
def test_only_admin_and_staff_create(world, api, role, status):
    response = api(world.user(role)).post(
        url(), {**NEW_CLIENT, "assigned_doctor": world.doctor.pk, "medical_history": "Asthma"}
    )

    assert response.status_code == status
    created = Client.objects.filter(last_name="Byron")
    if status == 201:
        body = response.json()
        assert body["assigned_doctor"] == world.doctor.pk
        assert body["medical_history"] == "Asthma"
        assert body["is_archived"] is False
        assert created.get().pk == body["id"]
    else:
        assert response.json()["code"] == "permission_denied"
        assert not created.exists()


def test_create_refuses_anonymous(world, api):
    assert_anonymous_refused(api(None).post(url(), NEW_CLIENT))
    assert not Client.objects.filter(last_name="Byron").exists()


# What each role may change of a record it can see, field by field.
PATCHES = {
    "first_name": "Changed",
    "last_name": "Changed",
    "email": "changed@example.test",
    "phone": "+15559999",
    "address": "1 Changed Road",
    "date_of_birth": "1980-01-02",
    "gender": "other",
    "medical_history": "Changed history",
    "notes": "Changed notes",
}
ALLOWED = {
    "admin": set(PATCHES),
    "staff": set(PATCHES),
    "doctor": {"medical_history", "notes"},
    "patient": {"phone", "address", "email"},
}


@pytest.mark.parametrize("role", list(ALLOWED))
@pytest.mark.parametrize("field", list(PATCHES))
def test_patch_field_by_role(world, api, role, field):
    response = api(world.user(role)).patch(url(world.client.pk), {field: PATCHES[field]})

    stored = Client.objects.get(pk=world.client.pk)
    if field in ALLOWED[role]:
        assert response.status_code == 200
        assert response.json()[field] == PATCHES[field]
        assert str(getattr(stored, field)) == PATCHES[field]
        assert AuditEvent.objects.get(action="update").fields == [field]
    else:
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
        assert field in response.json()["detail"]
        assert PATCHES[field] not in response.json()["detail"]
        assert str(getattr(stored, field)) != PATCHES[field]
        assert not AuditEvent.objects.filter(action="update").exists()


def test_patch_with_one_forbidden_field_saves_nothing(world, api):
    response = api(world.patient).patch(url(world.client.pk), {"phone": "+15550000", "notes": "mine now"})

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    stored = Client.objects.get(pk=world.client.pk)
    assert stored.phone != "+15550000"
    assert stored.notes == ""


@pytest.mark.parametrize(
    ("role", "field"),
    [("staff", "assigned_doctor"), ("admin", "user"), ("doctor", "assigned_doctor"), ("patient", "user")],
)
def test_patch_relations(world, api, role, field):
    value = {"assigned_doctor": world.other_doctor.pk, "user": None}[field]

    response = api(world.user(role)).patch(url(world.client.pk), {field: value}, format="json")

    stored = Client.objects.get(pk=world.client.pk)
    if role in ("admin", "staff"):
        assert response.status_code == 200
        assert getattr(stored, f"{field}_id") == value
    else:
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
        assert getattr(stored, f"{field}_id") == getattr(world.client, f"{field}_id")


@pytest.mark.parametrize(
    ("role", "target"),
    [("doctor", "other_client"), ("other_doctor", "client"), ("patient", "other_client")],
)
def test_patch_of_a_record_not_yours_is_404(world, api, role, target):
    record = getattr(world, target)
    field = "notes" if "doctor" in role else "phone"

    response = api(world.user(role)).patch(url(record.pk), {field: "x"})

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert getattr(Client.objects.get(pk=record.pk), field) == getattr(record, field)


def test_doctor_may_change_notes_of_a_patient_they_have_seen(world, api):
    AppointmentFactory(client=world.other_client, doctor=world.doctor)

    response = api(world.doctor).patch(url(world.other_client.pk), {"notes": "Follow up in May"})

    assert response.status_code == 200
    assert Client.objects.get(pk=world.other_client.pk).notes == "Follow up in May"


def test_patch_refuses_anonymous(world, api):
    assert_anonymous_refused(api(None).patch(url(world.client.pk), {"phone": "1"}))
    assert Client.objects.get(pk=world.client.pk).phone == world.client.phone


def test_put_is_not_offered(world, api):
    response = api(world.admin).put(url(world.client.pk), {**NEW_CLIENT})

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert Client.objects.get(pk=world.client.pk).last_name == world.client.last_name


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 204), ("staff", 403), ("doctor", 403), ("other_doctor", 403), ("patient", 403)],
)
def test_only_admin_archives(world, api, role, status):
    response = api(world.user(role)).delete(url(world.client.pk))

    assert response.status_code == status
    stored = Client.objects.get(pk=world.client.pk)  # the row always stays
    assert stored.is_archived is (status == 204)
    if status == 403:
        assert response.json()["code"] == "permission_denied"


def test_delete_refuses_anonymous(world, api):
    assert_anonymous_refused(api(None).delete(url(world.client.pk)))
    assert Client.objects.get(pk=world.client.pk).is_archived is False


def test_an_archived_record_is_gone_for_everyone_and_archiving_twice_is_404(world, api):
    assert api(world.admin).delete(url(world.client.pk)).status_code == 204

    for role in ["admin", "staff", "doctor", "patient"]:
        caller = api(world.user(role))
        detail = caller.get(url(world.client.pk))
        assert detail.status_code == 404
        assert detail.json()["code"] == "not_found"
        assert world.client.pk not in {row["id"] for row in caller.get(url()).json()["results"]}
    again = api(world.admin).delete(url(world.client.pk))
    assert again.status_code == 404
    assert again.json()["code"] == "not_found"
    assert Client.objects.get(pk=world.client.pk).is_archived is True
    assert AuditEvent.objects.filter(action="delete").count() == 1
