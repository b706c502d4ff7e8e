"""`/api/v1/audit-events/`: admin only, read-only, filterable (API.md, "Audit")."""

import pytest

from accounts.audit import record_event
from accounts.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

ROLES = ["admin", "staff", "doctor", "other_doctor", "patient", "other_patient", "anonymous"]


@pytest.fixture
def events(world):
    return [
        record_event(action=AuditAction.LOGIN, actor=world.doctor, obj=world.doctor),
        record_event(action=AuditAction.VIEW, actor=world.doctor, obj=world.client),
        record_event(
            action=AuditAction.UPDATE, actor=world.staff, obj=world.client, fields=["phone", "notes"]
        ),
        record_event(action=AuditAction.LOGIN_FAILED, object_type="user"),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_audit_events_are_for_admins_only(api, world, events, role):
    response = api(world.user(role)).get("/api/v1/audit-events/")
    if role == "admin":
        assert response.status_code == 200
        assert response.json()["count"] == 4
        return
    expected = (401, "not_authenticated") if role == "anonymous" else (403, "permission_denied")
    assert (response.status_code, response.json()["code"]) == expected


def test_audit_event_shape(api, world, events):
    response = api(world.admin).get(f"/api/v1/audit-events/{events[2].pk}")
    assert response.status_code == 200
    assert response.json() == {
        "id": events[2].pk,
        "actor": world.staff.pk,
        "action": "update",
        "object_type": "client",
        "object_id": str(world.client.pk),
        "at": response.json()["at"],
        "ip": None,
        "request_id": "",
        "fields": ["notes", "phone"],
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("action=login", [0]),
        ("object_type=client", [1, 2]),
        ("actor={doctor}", [0, 1]),
        ("object_type=client&object_id={client}&action=update", [2]),
    ],
)
def test_audit_events_filter(api, world, events, query, expected):
    query = query.format(doctor=world.doctor.pk, client=world.client.pk)
    response = api(world.admin).get(f"/api/v1/audit-events?{query}")
    assert response.status_code == 200
    assert sorted(e["id"] for e in response.json()["results"]) == sorted(events[i].pk for i in expected)


def test_audit_events_are_read_only(api, world, events):
    client = api(world.admin)
    assert client.post("/api/v1/audit-events/", {"action": "login"}).status_code == 405
    assert client.patch(f"/api/v1/audit-events/{events[0].pk}", {"action": "logout"}).status_code == 405
    assert client.delete(f"/api/v1/audit-events/{events[0].pk}").status_code == 405
    assert AuditEvent.objects.count() == 4


def test_audit_list_query_count_does_not_grow_with_page_size(api, world, django_assert_max_num_queries):
    for _ in range(40):
        record_event(action=AuditAction.VIEW, actor=world.doctor, obj=world.client)
    client = api(world.admin)
    with django_assert_max_num_queries(2):
        response = client.get("/api/v1/audit-events/?limit=100")
    assert len(response.json()["results"]) == 40


def test_login_audit_rows_carry_ip_and_request_id(api, world):
    from accounts.tests.factories import PASSWORD

    api().post(
        "/api/v1/auth/login",
        {"username": world.patient.username, "password": PASSWORD},
        REMOTE_ADDR="192.0.2.4",
    )
    event = AuditEvent.objects.get(action=AuditAction.LOGIN)
    assert event.ip == "192.0.2.4"
    assert event.request_id
