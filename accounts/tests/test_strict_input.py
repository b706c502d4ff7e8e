"""Strict input on accounts: JSON booleans in bodies, `true`/`false` in query
strings, ids as positive integers, a login that names who signs in."""

import pytest

from accounts.audit import record_event
from accounts.models import AuditAction, AuditEvent, User

pytestmark = pytest.mark.django_db

NOT_BOOLEANS = [0, 1, "on", "off", "true", "false", "yes", "", None, [], {}]
NOT_IDS = ["1.9", "1.5", "0", "-1", "01", "1e0", "2147483648", "99999999999999999999"]


@pytest.mark.parametrize("value", NOT_BOOLEANS)
def test_is_active_takes_only_json_booleans(api, world, value):
    response = api(world.admin).patch(
        f"/api/v1/users/{world.patient.pk}", {"is_active": value}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert list(response.json()["errors"]) == ["is_active"]
    assert User.objects.get(pk=world.patient.pk).is_active
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE).exists()


def test_is_active_false_deactivates(api, world):
    response = api(world.admin).patch(
        f"/api/v1/users/{world.patient.pk}", {"is_active": False}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert not User.objects.get(pk=world.patient.pk).is_active


@pytest.mark.parametrize("value", ["1", "0", "True", "FALSE", "yes", "on", "t"])
def test_query_booleans_are_only_true_or_false(api, world, value):
    response = api(world.admin).get("/api/v1/users/", {"is_active": value})
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert list(response.json()["errors"]) == ["is_active"]


def test_query_boolean_false_filters(api, world):
    User.objects.filter(pk=world.other_patient.pk).update(is_active=False)
    response = api(world.admin).get("/api/v1/users/", {"is_active": "false"})
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [world.other_patient.pk]


@pytest.mark.parametrize("value", NOT_IDS)
@pytest.mark.parametrize("name", ["actor", "object_id"])
def test_audit_id_filters_take_only_positive_integers(api, world, name, value):
    record_event(action=AuditAction.VIEW, actor=world.doctor, obj=world.client)
    response = api(world.admin).get("/api/v1/audit-events/", {name: value})
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert list(response.json()["errors"]) == [name]


@pytest.mark.parametrize("name", ["actor", "object_id", "object_type"])
def test_audit_filters_refuse_empty_values(api, world, name):
    record_event(action=AuditAction.LOGIN_FAILED, object_type="user")  # object_id ""
    response = api(world.admin).get(f"/api/v1/audit-events/?{name}=")
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert list(response.json()["errors"]) == [name]


def test_audit_id_filters_match_by_id(api, world):
    seen = record_event(action=AuditAction.VIEW, actor=world.doctor, obj=world.client)
    record_event(action=AuditAction.VIEW, actor=world.staff, obj=world.other_client)
    query = {"actor": world.doctor.pk, "object_type": "client", "object_id": world.client.pk}
    response = api(world.admin).get("/api/v1/audit-events/", query)
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [seen.pk]
    unknown = api(world.admin).get("/api/v1/audit-events/", {"actor": 2147483647})
    assert (unknown.status_code, unknown.json()["count"]) == (200, 0)


@pytest.mark.parametrize(
    "body",
    [
        {"password": "whatever-password"},
        {"username": "", "password": "whatever-password"},
        {"email": "   ", "password": "whatever-password"},
        {"username": "", "email": "", "password": "whatever-password"},
    ],
)
def test_login_without_username_or_email_is_400(api, world, body):
    response = api().post("/api/v1/auth/login", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert not AuditEvent.objects.filter(action__in=[AuditAction.LOGIN, AuditAction.LOGIN_FAILED]).exists()
