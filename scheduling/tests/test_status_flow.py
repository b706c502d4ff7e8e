"""Status moves only through the actions, along API.md's transitions."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from scheduling.models import Appointment, Status
from scheduling.tests.factories import AppointmentFactory, next_slot

pytestmark = pytest.mark.django_db

ACTIONS = {
    "confirm": "confirm",
    "check-in": "check_in",
    "complete": "complete",
    "cancel": "cancel",
    "no-show": "no_show",
}
ALLOWED = {
    ("scheduled", "confirm"): "confirmed",
    ("confirmed", "check-in"): "checked_in",
    ("checked_in", "complete"): "completed",
    ("scheduled", "cancel"): "cancelled",
    ("confirmed", "cancel"): "cancelled",
    ("scheduled", "no-show"): "no_show",
    ("confirmed", "no-show"): "no_show",
}


def url(appointment, action):
    return f"/api/v1/appointments/{appointment.pk}/{action}"


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("status", [s.value for s in Status])
def test_every_status_and_action(world, api, status, action):
    # Started an hour ago, so the no-show clock rule is met.
    started = timezone.now() - timedelta(hours=1)
    appointment = AppointmentFactory(
        doctor=world.doctor, client=world.client, starts_at=started, status=status
    )
    response = api(world.staff).post(url(appointment, action))
    appointment.refresh_from_db()
    expected = ALLOWED.get((status, action))
    if expected:
        assert response.status_code == 200
        assert response.json()["status"] == expected
        assert response.json()["id"] == appointment.pk
        assert appointment.status == expected
        event = AuditEvent.objects.get(action="update", object_type="appointment")
        assert event.fields == ["status"]
        assert event.actor == world.staff
    else:
        assert response.status_code == 409
        assert response.json()["code"] == "invalid_transition"
        assert appointment.status == status


@pytest.mark.parametrize("status", ["scheduled", "confirmed"])
def test_no_show_before_the_start_is_409(world, api, status):
    appointment = AppointmentFactory(
        doctor=world.doctor, client=world.client, starts_at=next_slot(), status=status
    )
    response = api(world.staff).post(url(appointment, "no-show"))
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    appointment.refresh_from_db()
    assert appointment.status == status


def test_check_in_and_complete_ignore_the_clock(world, api):
    appointment = AppointmentFactory(
        doctor=world.doctor, client=world.client, starts_at=next_slot(days=3), status="confirmed"
    )
    assert api(world.staff).post(url(appointment, "check-in")).status_code == 200
    assert api(world.staff).post(url(appointment, "complete")).status_code == 200
    appointment.refresh_from_db()
    assert appointment.status == Status.COMPLETED


ROLE_MATRIX = [
    # role, action, own appointment?, expected status
    *[("admin", a, True, 200) for a in ACTIONS],
    *[("staff", a, True, 200) for a in ACTIONS],
    *[("doctor", a, True, 200) for a in ACTIONS],
    *[("other_doctor", a, False, 404) for a in ACTIONS],
    ("patient", "cancel", True, 200),
    ("other_patient", "cancel", False, 404),
    *[("patient", a, True, 403) for a in ACTIONS if a != "cancel"],
    *[("anonymous", a, False, 401) for a in ACTIONS],
]


@pytest.mark.parametrize(("role", "action", "own", "expected"), ROLE_MATRIX)
def test_who_may_take_each_action(world, api, role, action, own, expected):
    start_status = {"check-in": "confirmed", "complete": "checked_in"}.get(action, "scheduled")
    starts_at = timezone.now() - timedelta(hours=1) if action == "no-show" else next_slot(days=5)
    appointment = AppointmentFactory(
        doctor=world.doctor, client=world.client, starts_at=starts_at, status=start_status
    )
    response = api(world.user(role)).post(url(appointment, action))
    if expected == 401:
        assert response.status_code == 401
    else:
        assert response.status_code == expected
    appointment.refresh_from_db()
    changed = appointment.status != start_status
    assert changed == (expected == 200)


@pytest.mark.parametrize(("hours_before", "expected"), [(25, 200), (23, 409)])
def test_patient_cancels_until_the_deadline(world, api, hours_before, expected):
    appointment = AppointmentFactory(
        doctor=world.doctor, client=world.client, starts_at=timezone.now() + timedelta(hours=hours_before)
    )
    response = api(world.patient).post(url(appointment, "cancel"))
    assert response.status_code == expected
    appointment.refresh_from_db()
    if expected == 200:
        assert appointment.status == Status.CANCELLED
    else:
        assert response.json()["code"] == "invalid_transition"
        assert appointment.status == Status.SCHEDULED


def test_patient_cancel_hours_come_from_settings(world, api, settings):
    settings.PATIENT_CANCEL_HOURS = 2
    appointment = AppointmentFactory(
        doctor=world.doctor, client=world.client, starts_at=timezone.now() + timedelta(hours=3)
    )
    assert api(world.patient).post(url(appointment, "cancel")).status_code == 200


def test_staff_may_cancel_after_the_patient_deadline(world, api):
    appointment = AppointmentFactory(
        doctor=world.doctor, client=world.client, starts_at=timezone.now() + timedelta(hours=1)
    )
    assert api(world.staff).post(url(appointment, "cancel")).status_code == 200


@pytest.mark.parametrize("role", ["staff", "patient"])
def test_cancel_keeps_an_optional_reason(world, api, role):
    appointment = AppointmentFactory(
        doctor=world.doctor, client=world.client, starts_at=timezone.now() + timedelta(days=3)
    )
    response = api(world.user(role)).post(
        url(appointment, "cancel"), {"reason": "Moving away"}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["cancel_reason"]) == ("cancelled", "Moving away")
    appointment.refresh_from_db()
    assert appointment.cancel_reason == "Moving away"
    event = AuditEvent.objects.filter(object_type="appointment", object_id=str(appointment.pk)).latest("at")
    assert event.fields == ["cancel_reason", "status"]  # sorted, names only


def test_cancel_without_a_body_answers_a_null_reason(world, api):
    appointment = AppointmentFactory(doctor=world.doctor, client=world.client)
    response = api(world.staff).post(url(appointment, "cancel"))
    assert (response.status_code, response.json()["cancel_reason"]) == (200, None)


@pytest.mark.parametrize("reason", ["x" * 501, 42, None])
def test_a_bad_cancel_reason_is_refused_and_nothing_changes(world, api, reason):
    appointment = AppointmentFactory(doctor=world.doctor, client=world.client)
    response = api(world.staff).post(url(appointment, "cancel"), {"reason": reason}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error" and "reason" in response.json()["errors"]
    appointment.refresh_from_db()
    assert (appointment.status, appointment.cancel_reason) == (Status.SCHEDULED, None)


def test_cancel_reason_is_read_only_in_patch(world, api):
    appointment = AppointmentFactory(doctor=world.doctor, client=world.client)
    response = api(world.staff).patch(
        f"/api/v1/appointments/{appointment.pk}", {"cancel_reason": "x"}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (400, "validation_error")


def test_cancelling_frees_the_slot(world, api):
    start = next_slot()
    appointment = AppointmentFactory(doctor=world.doctor, client=world.client, starts_at=start)
    api(world.staff).post(url(appointment, "cancel"))
    payload = {"client": world.other_client.pk, "doctor": world.doctor.pk, "starts_at": start.isoformat()}
    response = api(world.staff).post("/api/v1/appointments/", payload, format="json")
    assert response.status_code == 201
    assert Appointment.objects.active().count() == 1


@pytest.mark.parametrize("role", ["admin", "staff"])
def test_patch_never_changes_status(world, api, role):
    appointment = AppointmentFactory(doctor=world.doctor, client=world.client)
    response = api(world.user(role)).patch(
        f"/api/v1/appointments/{appointment.pk}", {"status": "completed"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert "status" in response.json()["errors"]
    appointment.refresh_from_db()
    assert appointment.status == Status.SCHEDULED
