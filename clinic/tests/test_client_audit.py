"""Every read and write of a client record leaves an AuditEvent, and no
AuditEvent ever holds a PHI value."""

import pytest
from django.forms.models import model_to_dict

from accounts.models import AuditEvent
from clinic.models import Client

pytestmark = pytest.mark.django_db

URL = "/api/v1/clients/"
PHI = {
    "first_name": "Zenobia",
    "last_name": "Quackenbush",
    "email": "zenobia@private.test",
    "phone": "+15557770001",
    "address": "17 Hidden Lane",
    "medical_history": "Rare marker-disease",
    "notes": "Confided marker-secret",
}


def events(action):
    return list(AuditEvent.objects.filter(action=action, object_type="client"))


def test_retrieve_is_a_view_event_with_ip_and_request_id(world, api):
    response = api(world.doctor).get(f"{URL}{world.client.pk}", HTTP_X_REQUEST_ID="req-123")

    assert response.status_code == 200
    [event] = events("view")
    assert event.actor == world.doctor
    assert event.object_id == str(world.client.pk)
    assert event.ip == "127.0.0.1"
    assert event.request_id == "req-123"


def test_list_reads_are_not_view_events(world, api):
    assert api(world.admin).get(URL).status_code == 200
    assert not AuditEvent.objects.exists()


def test_create_update_archive_are_recorded_with_field_names_only(world, api):
    admin = api(world.admin)

    created = admin.post(URL, {**PHI, "assigned_doctor": world.doctor.pk}, format="json")
    client_id = created.json()["id"]
    admin.patch(f"{URL}{client_id}", {"notes": "Another marker-secret", "phone": PHI["phone"]}, format="json")
    admin.get(f"{URL}{client_id}")
    deleted = admin.delete(f"{URL}{client_id}")

    assert created.status_code == 201
    assert deleted.status_code == 204
    [create] = events("create")
    assert create.object_id == str(client_id)
    assert create.fields == sorted([*PHI, "assigned_doctor"])
    [update] = events("update")
    assert update.fields == ["notes"]  # the phone did not change
    [archive] = events("delete")
    assert archive.fields == ["is_archived"]
    assert len(events("view")) == 1
    assert {e.actor for e in AuditEvent.objects.all()} == {world.admin}
    assert Client.objects.get(pk=client_id).is_archived is True


def test_a_patch_that_changes_nothing_writes_no_event(world, api):
    response = api(world.patient).patch(f"{URL}{world.client.pk}", {"phone": world.client.phone})

    assert response.status_code == 200
    assert not AuditEvent.objects.exists()


def test_refused_requests_write_no_event(world, api):
    api(world.patient).get(f"{URL}{world.other_client.pk}")
    api(world.patient).patch(f"{URL}{world.client.pk}", {"notes": "x"})
    api(world.staff).delete(f"{URL}{world.client.pk}")

    assert not AuditEvent.objects.exists()


def test_no_phi_value_in_any_audit_row(world, api):
    admin = api(world.admin)
    client_id = admin.post(URL, PHI, format="json").json()["id"]
    admin.patch(f"{URL}{client_id}", {"medical_history": "Second marker-disease"}, format="json")
    admin.get(f"{URL}{client_id}")
    admin.delete(f"{URL}{client_id}")

    rows = [str(model_to_dict(event)) for event in AuditEvent.objects.all()]
    assert len(rows) == 4
    for value in [*PHI.values(), "marker"]:
        assert not any(value in row for row in rows), value
