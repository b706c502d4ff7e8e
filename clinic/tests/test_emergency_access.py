"""Break-glass access: outside one's scope only through an explicit, audited,
short-lived grant that emails the admins."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone
from rq import SimpleWorker

from accounts.models import AuditEvent
from accounts.tests.factories import AdminFactory
from clinic.models import EmergencyAccess
from config.queues import get_queue

pytestmark = pytest.mark.django_db

REASON = "Unconscious patient in the waiting room, allergies needed"


def url(client) -> str:
    return f"/api/v1/clients/{client.pk}/emergency-access"


def run_jobs() -> None:
    queue = get_queue()
    SimpleWorker([queue], connection=queue.connection).work(burst=True)


@pytest.mark.parametrize("role", ["other_doctor", "staff", "admin"])
def test_a_clinician_opens_a_record_outside_their_scope_with_a_reason(
    api, world, role, django_capture_on_commit_callbacks
):
    user = world.user(role)
    client = api(user)
    if role == "other_doctor":
        assert client.get(f"/api/v1/clients/{world.client.pk}").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(world.client), {"reason": REASON})
    assert response.status_code == 201, response.content
    body = response.json()
    grant = EmergencyAccess.objects.get(pk=body["id"])
    assert (grant.user, grant.client, grant.reason) == (user, world.client, REASON)
    assert timedelta(minutes=29) < grant.expires_at - timezone.now() <= timedelta(minutes=30)
    assert body["client"] == world.client.pk and body["user"] == user.pk
    assert client.get(f"/api/v1/clients/{world.client.pk}").status_code == 200
    event = AuditEvent.objects.get(action="emergency_access")
    assert (event.actor, event.object_type, event.object_id) == (user, "client", str(world.client.pk))
    assert event.fields == []


def test_the_reason_is_encrypted_at_rest(api, world):
    api(world.other_doctor).post(url(world.client), {"reason": REASON})
    with connection.cursor() as cursor:
        cursor.execute("SELECT reason FROM clinic_emergencyaccess")
        (stored,) = cursor.fetchone()
    assert "allergies" not in stored


def test_the_admins_are_emailed_without_phi(api, world, django_capture_on_commit_callbacks):
    second_admin = AdminFactory()
    AdminFactory(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        api(world.other_doctor).post(url(world.client), {"reason": REASON})
    assert mail.outbox == []  # sent by the worker, not in the request
    run_jobs()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == sorted([world.admin.email, second_admin.email])
    assert message.extra_headers["X-Clinic-Email"] == "emergency_access"
    text = message.subject + message.body
    assert f"#{world.client.pk}" in text
    for phi in (world.client.first_name, world.client.last_name, "allergies", world.other_doctor.email):
        assert phi not in text


def test_the_grant_expires(api, world):
    client = api(world.other_doctor)
    assert client.post(url(world.client), {"reason": REASON}).status_code == 201
    EmergencyAccess.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(f"/api/v1/clients/{world.client.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_grant_opens_one_record_to_one_user(api, world):
    assert api(world.other_doctor).post(url(world.client), {"reason": REASON}).status_code == 201
    assert api(world.doctor).get(f"/api/v1/clients/{world.other_client.pk}").status_code == 404
    listed = api(world.other_doctor).get("/api/v1/clients").json()["results"]
    assert {row["id"] for row in listed} == {world.client.pk, world.other_client.pk}


@pytest.mark.parametrize(
    "role,status,code",
    [
        ("patient", 403, "permission_denied"),
        ("other_patient", 403, "permission_denied"),
        ("anonymous", 401, "not_authenticated"),
    ],
)
def test_patients_and_anonymous_may_not_break_the_glass(api, world, role, status, code):
    response = api(world.user(role)).post(url(world.other_client), {"reason": REASON})
    assert response.status_code == status
    assert response.json()["code"] == code
    assert not EmergencyAccess.objects.exists()
    assert not AuditEvent.objects.filter(action="emergency_access").exists()


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   short  "}])
def test_a_reason_is_required(api, world, body):
    response = api(world.other_doctor).post(url(world.client), body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert "reason" in response.json()["errors"]
    assert not EmergencyAccess.objects.exists()


def test_an_archived_or_unknown_record_is_404(api, world):
    world.client.is_archived = True
    world.client.save()
    for target in (url(world.client), "/api/v1/clients/999999/emergency-access"):
        response = api(world.other_doctor).post(target, {"reason": REASON})
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    assert not EmergencyAccess.objects.exists()


def test_grants_are_reviewable_read_only_by_admins_in_the_admin(world, client):
    from clinic.models import EmergencyAccess

    grant = EmergencyAccess.objects.create(
        user=world.doctor, client=world.other_client, reason="Collapsed", expires_at=timezone.now()
    )
    world.admin.is_superuser = True
    world.admin.save()
    client.force_login(world.admin)
    assert client.get(f"/admin/clinic/emergencyaccess/{grant.pk}/change/").status_code == 200
    assert client.get("/admin/clinic/emergencyaccess/add/").status_code == 403
    client.force_login(world.staff)  # in the admin, but not an admin
    assert client.get("/admin/clinic/emergencyaccess/").status_code == 403
