"""Who sees and changes which appointments (API.md's role table)."""

from datetime import timedelta

import pytest

from accounts.models import AuditEvent
from scheduling.models import Appointment
from scheduling.tests.factories import AppointmentFactory, next_slot

pytestmark = pytest.mark.django_db
URL = "/api/v1/appointments/"


@pytest.fixture
def visits(world):
    """One visit per doctor/client pair of the world."""
    mine = AppointmentFactory(doctor=world.doctor, client=world.client, starts_at=next_slot(days=2))
    theirs = AppointmentFactory(
        doctor=world.other_doctor, client=world.other_client, starts_at=next_slot(days=3)
    )
    return mine, theirs


@pytest.mark.parametrize(
    ("role", "sees"),
    [("admin", {0, 1}), ("staff", {0, 1}), ("doctor", {0}), ("other_doctor", {1}), ("patient", {0}),
     ("other_patient", {1})],
)  # fmt: skip
def test_list_shows_each_role_its_own(world, api, visits, role, sees):
    response = api(world.user(role)).get(URL)
    assert response.status_code == 200
    assert {row["id"] for row in response.json()["results"]} == {visits[i].pk for i in sees}
    assert response.json()["count"] == len(sees)


@pytest.mark.parametrize("suffix", ["", "/"])
def test_paths_answer_with_or_without_slash(world, api, visits, suffix):
    assert api(world.staff).get(URL.rstrip("/") + suffix).status_code == 200
    assert api(world.staff).get(f"{URL}{visits[0].pk}{suffix}").status_code == 200


def test_anonymous_is_refused(world, api, visits):
    assert api().get(URL).status_code == 401
    assert api().get(f"{URL}{visits[0].pk}").status_code == 401


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("staff", 200), ("doctor", 200), ("other_doctor", 404), ("patient", 200),
     ("other_patient", 404)],
)  # fmt: skip
def test_retrieve_is_404_when_not_yours(world, api, visits, role, status):
    response = api(world.user(role)).get(f"{URL}{visits[0].pk}")
    assert response.status_code == status
    if status == 404:
        assert response.json()["code"] == "not_found"
    else:
        assert response.json()["id"] == visits[0].pk


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 204), ("staff", 403), ("doctor", 403), ("patient", 403), ("other_patient", 403)],
)
def test_only_admin_deletes(world, api, visits, role, status):
    response = api(world.user(role)).delete(f"{URL}{visits[0].pk}")
    assert response.status_code == status
    assert Appointment.objects.filter(pk=visits[0].pk).exists() == (status != 204)
    if status == 204:
        assert AuditEvent.objects.filter(action="delete", object_id=str(visits[0].pk)).exists()


def test_put_is_not_allowed(world, api, visits):
    response = api(world.admin).put(f"{URL}{visits[0].pk}", {"notes": "x"}, format="json")
    assert response.status_code == 405


class TestPatch:
    @pytest.mark.parametrize(
        ("role", "body", "status"),
        [
            ("admin", {"reason": "Follow-up", "notes": "Bring results"}, 200),
            ("staff", {"reason": "Follow-up"}, 200),
            ("doctor", {"notes": "Prescribed rest"}, 200),
            ("doctor", {"reason": "Follow-up"}, 403),
            ("doctor", {"duration_minutes": 60}, 403),
            ("other_doctor", {"notes": "x"}, 404),
            ("patient", {"notes": "x"}, 403),
            ("patient", {"reason": "x"}, 403),
            ("other_patient", {"notes": "x"}, 403),
        ],
    )
    def test_who_may_change_what(self, world, api, visits, role, body, status):
        appointment = visits[0]
        response = api(world.user(role)).patch(f"{URL}{appointment.pk}", body, format="json")
        assert response.status_code == status
        appointment.refresh_from_db()
        for field, value in body.items():
            assert (getattr(appointment, field) == value) == (status == 200)
        if status == 200:
            event = AuditEvent.objects.get(action="update", object_id=str(appointment.pk))
            assert event.fields == sorted(body)

    def test_staff_reschedules(self, world, api, visits):
        new_start = next_slot(days=4, hour=15)
        response = api(world.staff).patch(
            f"{URL}{visits[0].pk}",
            {"starts_at": new_start.isoformat(), "duration_minutes": 45, "doctor": world.other_doctor.pk},
            format="json",
        )
        assert response.status_code == 200
        appointment = Appointment.objects.get(pk=visits[0].pk)
        assert (appointment.starts_at, appointment.duration_minutes) == (new_start, 45)
        assert appointment.ends_at == new_start + timedelta(minutes=45)
        assert appointment.doctor == world.other_doctor
        assert response.json()["ends_at"] is not None

    def test_reschedule_into_a_taken_slot_is_409(self, world, api, visits):
        mine, theirs = visits
        response = api(world.staff).patch(
            f"{URL}{mine.pk}", {"starts_at": theirs.starts_at.isoformat(), "doctor": world.other_doctor.pk},
            format="json",
        )  # fmt: skip
        assert response.status_code == 409
        assert response.json()["code"] == "slot_taken"
        mine.refresh_from_db()
        assert mine.doctor == world.doctor

    def test_reschedule_into_the_past_is_400(self, world, api, visits):
        past = next_slot(days=-2)
        response = api(world.staff).patch(
            f"{URL}{visits[0].pk}", {"starts_at": past.isoformat()}, format="json"
        )
        assert response.status_code == 400
        assert "starts_at" in response.json()["errors"]

    @pytest.mark.parametrize("status", ["checked_in", "completed", "cancelled", "no_show"])
    def test_only_open_visits_move(self, world, api, visits, status):
        Appointment.objects.filter(pk=visits[0].pk).update(status=status)
        response = api(world.staff).patch(
            f"{URL}{visits[0].pk}", {"starts_at": next_slot(days=9).isoformat()}, format="json"
        )
        assert response.status_code == 409
        assert response.json()["code"] == "invalid_transition"

    @pytest.mark.parametrize("field", ["client", "ends_at", "id"])
    def test_read_only_fields_are_400(self, world, api, visits, field):
        response = api(world.staff).patch(f"{URL}{visits[0].pk}", {field: 1}, format="json")
        assert response.status_code == 400
        assert field in response.json()["errors"]
