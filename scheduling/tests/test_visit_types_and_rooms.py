"""`/api/v1/appointment-types/` and `/api/v1/rooms/` (API.md): who lists and
manages them, their validation, and archiving (DELETE) that never takes a
type or room off the visits that have it. Who may call each route is the role
matrix's (config/tests/test_role_matrix.py)."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import AuditEvent
from scheduling.demo import ROOMS as DEMO_ROOMS
from scheduling.demo import SEEDED_TYPE, VISIT_TYPES
from scheduling.models import Appointment, AppointmentType, Room
from scheduling.tests.factories import AppointmentFactory, AppointmentTypeFactory, RoomFactory, next_slot
from scheduling.tests.helpers import booking

pytestmark = pytest.mark.django_db
TYPES, ROOMS = "/api/v1/appointment-types/", "/api/v1/rooms/"
TYPE_FIELDS = {
    "id", "name", "duration_minutes", "buffer_before_minutes", "buffer_after_minutes",
    "color", "patient_bookable", "requires_room", "active",
}  # fmt: skip


def names(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [row["name"] for row in response.json()["results"]]


class TestVisitTypes:
    def test_an_admin_creates_one_with_its_defaults(self, world, api):
        response = api(world.admin).post(TYPES, {"name": "Check-up"}, format="json")
        assert response.status_code == 201
        assert set(response.json()) == TYPE_FIELDS
        assert response.json() | {"id": 0} == {
            "id": 0, "name": "Check-up", "duration_minutes": 30, "buffer_before_minutes": 0,
            "buffer_after_minutes": 0, "color": "#4a90d9", "patient_bookable": True,
            "requires_room": False, "active": True,
        }  # fmt: skip
        event = AuditEvent.objects.get(action="create", object_type="appointmenttype")
        assert (event.actor, event.object_id) == (world.admin, str(response.json()["id"]))

    @pytest.mark.parametrize(
        "body",
        [
            {"name": ""},
            {"name": "x" * 101},
            {"name": "Long", "duration_minutes": 4},
            {"name": "Long", "duration_minutes": 481},
            {"name": "Long", "buffer_before_minutes": -1},
            {"name": "Long", "buffer_after_minutes": 121},
            {"name": "Long", "color": "red"},
            {"name": "Long", "color": "#12345"},
            {"name": "Long", "patient_bookable": "true"},
            {"name": "Long", "requires_room": 1},
            {"name": 5},
        ],
    )
    def test_bad_values_are_400_naming_the_field(self, world, api, body):
        response = api(world.admin).post(TYPES, body, format="json")
        assert (response.status_code, response.json()["code"]) == (400, "validation_error")
        assert set(response.json()["errors"]) <= set(body)
        assert not AppointmentType.objects.exists()

    def test_a_name_is_taken_once(self, world, api):
        AppointmentTypeFactory(name="Check-up")
        response = api(world.admin).post(TYPES, {"name": "Check-up"}, format="json")
        assert response.status_code == 400
        assert "name" in response.json()["errors"]

    def test_everyone_lists_the_active_ones_by_name(self, world, api):
        AppointmentTypeFactory(name="Vaccination")
        AppointmentTypeFactory(name="Check-up")
        AppointmentTypeFactory(name="Old procedure", active=False)
        for role in ("admin", "staff", "doctor", "patient"):
            assert names(api(world.user(role)).get(TYPES)) == ["Check-up", "Vaccination"]

    def test_an_admin_changes_only_what_is_sent(self, world, api):
        visit_type = AppointmentTypeFactory(name="Check-up", duration_minutes=20)
        response = api(world.admin).patch(
            f"{TYPES}{visit_type.pk}", {"buffer_after_minutes": 10, "color": "#AABBCC"}, format="json"
        )
        assert response.status_code == 200
        assert (response.json()["duration_minutes"], response.json()["buffer_after_minutes"]) == (20, 10)
        event = AuditEvent.objects.get(action="update", object_type="appointmenttype")
        assert event.fields == ["buffer_after_minutes", "color"]

    def test_delete_archives_and_the_visits_keep_their_type(self, world, api):
        visit_type = AppointmentTypeFactory(buffer_after_minutes=15)
        visit = AppointmentFactory(doctor=world.doctor, client=world.client, appointment_type=visit_type)
        assert api(world.admin).delete(f"{TYPES}{visit_type.pk}").status_code == 204
        visit_type.refresh_from_db()
        assert not visit_type.active
        assert names(api(world.staff).get(TYPES)) == []
        # Still found by id, and still on the visit, with the buffers it was booked with.
        assert api(world.patient).get(f"{TYPES}{visit_type.pk}").json()["active"] is False
        assert (
            api(world.staff).get(f"/api/v1/appointments/{visit.pk}").json()["appointment_type"]
            == visit_type.pk
        )
        visit.refresh_from_db()
        assert (visit.appointment_type_id, visit.buffer_after_minutes) == (visit_type.pk, 15)
        assert AuditEvent.objects.filter(action="delete", object_type="appointmenttype").count() == 1
        assert api(world.admin).delete(f"{TYPES}{visit_type.pk}").status_code == 204  # again: nothing new
        assert AuditEvent.objects.filter(action="delete", object_type="appointmenttype").count() == 1

    def test_an_archived_type_cannot_be_booked_but_its_visits_still_move(self, world, api):
        visit_type = AppointmentTypeFactory(active=False)
        refused = api(world.staff).post(
            "/api/v1/appointments/",
            booking(world, next_slot(), appointment_type=visit_type.pk),
            format="json",
        )
        assert (refused.status_code, refused.json()["code"]) == (400, "validation_error")
        assert "appointment_type" in refused.json()["errors"]
        visit = AppointmentFactory(doctor=world.doctor, client=world.client, appointment_type=visit_type)
        moved = api(world.staff).patch(
            f"/api/v1/appointments/{visit.pk}", {"starts_at": next_slot(days=30).isoformat()}, format="json"
        )
        assert moved.status_code == 200
        assert moved.json()["appointment_type"] == visit_type.pk

    def test_patch_active_true_restores(self, world, api):
        visit_type = AppointmentTypeFactory(name="Back again", active=False)
        assert (
            api(world.admin).patch(f"{TYPES}{visit_type.pk}", {"active": True}, format="json").status_code
            == 200
        )
        assert names(api(world.patient).get(TYPES)) == ["Back again"]

    def test_an_unknown_id_is_404(self, world, api):
        response = api(world.admin).get(f"{TYPES}999999")
        assert (response.status_code, response.json()["code"]) == (404, "not_found")


class TestRooms:
    def test_an_admin_creates_renames_and_archives_one(self, world, api):
        created = api(world.admin).post(ROOMS, {"name": "Room 1"}, format="json")
        assert created.status_code == 201
        assert created.json() | {"id": 0} == {"id": 0, "name": "Room 1", "active": True}
        url = f"{ROOMS}{created.json()['id']}"
        assert api(world.admin).patch(url, {"name": "Room A"}, format="json").json()["name"] == "Room A"
        assert api(world.admin).delete(url).status_code == 204
        assert Room.objects.get().active is False
        assert [e.action for e in AuditEvent.objects.filter(object_type="room").order_by("id")] == [
            "create",
            "update",
            "delete",
        ]

    def test_clinicians_list_the_active_ones(self, world, api):
        RoomFactory(name="Room 2")
        RoomFactory(name="Room 1")
        RoomFactory(name="Storage", active=False)
        for role in ("admin", "staff", "doctor"):
            assert names(api(world.user(role)).get(ROOMS)) == ["Room 1", "Room 2"]
        assert api(world.patient).get(ROOMS).status_code == 403

    def test_an_archived_room_stays_on_its_visits(self, world, api):
        room = RoomFactory()
        visit = AppointmentFactory(doctor=world.doctor, client=world.client, room=room)
        api(world.admin).delete(f"{ROOMS}{room.pk}")
        assert api(world.doctor).get(f"/api/v1/appointments/{visit.pk}").json()["room"] == room.pk
        assert api(world.doctor).get(f"{ROOMS}{room.pk}").json() == {
            "id": room.pk,
            "name": room.name,
            "active": False,
        }

    @pytest.mark.parametrize("body", [{"name": ""}, {"name": None}, {"name": 7}, {"active": "false"}])
    def test_bad_values_are_400(self, world, api, body):
        response = api(world.admin).post(ROOMS, body, format="json")
        assert (response.status_code, response.json()["code"]) == (400, "validation_error")


@pytest.mark.parametrize(("url", "factory"), [(TYPES, AppointmentTypeFactory), (ROOMS, RoomFactory)])
def test_list_query_count_does_not_grow_with_the_page(world, api, url, factory):
    def count_queries(rows):
        for _ in range(rows):
            factory()
        with CaptureQueriesContext(connection) as queries:
            response = api(world.staff).get(url, {"limit": 100})
        assert response.status_code == 200
        assert len(response.json()["results"]) == rows
        factory._meta.model.objects.all().delete()
        return len(queries)

    small, large = count_queries(2), count_queries(40)
    assert small == large
    assert large <= 2  # the count and the page


def test_archiving_never_deletes_a_booked_visits_type_or_room(world, api):
    visit_type, room = AppointmentTypeFactory(), RoomFactory()
    AppointmentFactory(doctor=world.doctor, client=world.client, appointment_type=visit_type, room=room)
    api(world.admin).delete(f"{TYPES}{visit_type.pk}")
    api(world.admin).delete(f"{ROOMS}{room.pk}")
    assert Appointment.objects.filter(appointment_type=visit_type, room=room).count() == 1


def test_seed_demo_makes_a_few_types_and_rooms_once():
    call_command("seed_demo", doctors=2, clients=10, appointments=30, stdout=io.StringIO())
    assert set(AppointmentType.objects.values_list("name", flat=True)) == set(VISIT_TYPES)
    assert list(Room.objects.values_list("name", flat=True)) == DEMO_ROOMS
    assert AppointmentType.objects.filter(requires_room=True, patient_bookable=False).exists()
    consultation = AppointmentType.objects.get(name=SEEDED_TYPE)
    copied = Appointment.objects.filter(series__isnull=True)  # the demo series' visits are follow-ups
    assert set(copied.values_list("appointment_type", flat=True)) == {consultation.pk}
    assert not Appointment.objects.filter(blocked_from__isnull=True).exists()  # the trigger's, under COPY too
    call_command("seed_demo", doctors=2, clients=10, appointments=30, stdout=io.StringIO())
    assert (AppointmentType.objects.count(), Room.objects.count()) == (len(VISIT_TYPES), len(DEMO_ROOMS))
