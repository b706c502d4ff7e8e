"""Booking with a visit type and a room (API.md, "Appointments"): the type's
duration and buffers, rooms, and the rules only patients meet."""

from datetime import timedelta

import pytest
from django.utils import timezone

from scheduling.models import Appointment, Status
from scheduling.tests.factories import AppointmentFactory, AppointmentTypeFactory, RoomFactory, next_slot
from scheduling.tests.helpers import booking

pytestmark = pytest.mark.django_db
URL = "/api/v1/appointments/"


def typed(world, starts_at, visit_type, **extra) -> dict:
    """A booking of `visit_type` that leaves the duration to it."""
    payload = booking(world, starts_at, appointment_type=visit_type.pk, **extra)
    if "duration_minutes" not in extra:
        del payload["duration_minutes"]
    return payload


def refused(response, status: int, code: str) -> None:
    assert (response.status_code, response.json()["code"]) == (status, code), response.json()


class TestTheType:
    def test_the_duration_defaults_to_the_types_and_the_visit_names_it(self, world, api):
        visit_type = AppointmentTypeFactory(
            duration_minutes=45, buffer_before_minutes=5, buffer_after_minutes=10
        )
        start = next_slot()
        response = api(world.staff).post(URL, typed(world, start, visit_type), format="json")
        assert response.status_code == 201
        body = response.json()
        assert (body["appointment_type"], body["room"], body["duration_minutes"]) == (visit_type.pk, None, 45)
        visit = Appointment.objects.get()
        assert (visit.buffer_before_minutes, visit.buffer_after_minutes) == (5, 10)
        assert (visit.blocked_from, visit.blocked_until) == (
            start - timedelta(minutes=5),
            start + timedelta(minutes=55),
        )

    def test_a_given_duration_wins_over_the_types(self, world, api):
        visit_type = AppointmentTypeFactory(duration_minutes=45)
        payload = typed(world, next_slot(), visit_type, duration_minutes=20)
        assert api(world.staff).post(URL, payload, format="json").json()["duration_minutes"] == 20

    def test_without_a_type_nothing_changes(self, world, api):
        payload = booking(world, next_slot())
        del payload["duration_minutes"]
        body = api(world.staff).post(URL, payload, format="json").json()
        assert (body["duration_minutes"], body["appointment_type"], body["room"]) == (30, None, None)

    @pytest.mark.parametrize("value", ["1", "", 1.5, True, 999999])
    def test_a_bad_or_unknown_type_is_400_naming_the_field(self, world, api, value):
        response = api(world.staff).post(
            URL, booking(world, next_slot(), appointment_type=value), format="json"
        )
        refused(response, 400, "validation_error")
        assert "appointment_type" in response.json()["errors"]


class TestBuffers:
    """A visit holds the doctor's time from its buffer before to its buffer after;
    no other visit, nor its buffers, may overlap that."""

    @pytest.mark.parametrize(
        ("minutes_later", "status"),
        [(30, 409), (40, 409), (45, 201)],
    )
    def test_the_buffer_after_keeps_the_next_visit_away(self, world, api, minutes_later, status):
        start = next_slot()
        cleanup = AppointmentTypeFactory(buffer_after_minutes=15)
        AppointmentFactory(
            doctor=world.doctor, client=world.other_client, starts_at=start, appointment_type=cleanup
        )
        response = api(world.staff).post(
            URL, booking(world, start + timedelta(minutes=minutes_later)), format="json"
        )
        assert response.status_code == status
        if status == 409:
            assert response.json()["code"] == "slot_taken"

    @pytest.mark.parametrize(("minutes_later", "status"), [(30, 409), (35, 409), (40, 201)])
    def test_the_new_visits_buffer_before_may_not_reach_the_previous_visit(
        self, world, api, minutes_later, status
    ):
        start = next_slot()
        AppointmentFactory(doctor=world.doctor, client=world.other_client, starts_at=start)
        prepared = AppointmentTypeFactory(buffer_before_minutes=10)
        payload = typed(world, start + timedelta(minutes=minutes_later), prepared)
        response = api(world.staff).post(URL, payload, format="json")
        assert response.status_code == status
        assert Appointment.objects.count() == (2 if status == 201 else 1)

    def test_buffers_meet_buffers(self, world, api):
        """10:00-10:30 with 10 after holds to 10:40; 10:45 with 10 before holds from 10:35."""
        start = next_slot()
        buffered = AppointmentTypeFactory(buffer_before_minutes=10, buffer_after_minutes=10)
        AppointmentFactory(
            doctor=world.doctor, client=world.other_client, starts_at=start, appointment_type=buffered
        )
        clash = api(world.staff).post(
            URL, typed(world, start + timedelta(minutes=45), buffered), format="json"
        )
        refused(clash, 409, "slot_taken")
        fits = api(world.staff).post(
            URL, typed(world, start + timedelta(minutes=50), buffered), format="json"
        )
        assert fits.status_code == 201

    def test_another_doctor_is_not_held_by_them(self, world, api):
        start = next_slot()
        buffered = AppointmentTypeFactory(buffer_after_minutes=30)
        AppointmentFactory(
            doctor=world.other_doctor, client=world.other_client, starts_at=start, appointment_type=buffered
        )
        assert (
            api(world.staff)
            .post(URL, booking(world, start + timedelta(minutes=30)), format="json")
            .status_code
            == 201
        )

    def test_cancelled_visits_hold_no_buffer(self, world, api):
        start = next_slot()
        buffered = AppointmentTypeFactory(buffer_after_minutes=30)
        AppointmentFactory(
            doctor=world.doctor, client=world.other_client, starts_at=start, appointment_type=buffered,
            status=Status.CANCELLED,
        )  # fmt: skip
        assert (
            api(world.staff)
            .post(URL, booking(world, start + timedelta(minutes=30)), format="json")
            .status_code
            == 201
        )

    def test_editing_the_type_never_changes_a_booked_visit(self, world, api):
        start = next_slot()
        visit_type = AppointmentTypeFactory(duration_minutes=30, buffer_after_minutes=20)
        booked = api(world.staff).post(URL, typed(world, start, visit_type), format="json").json()
        api(world.admin).patch(
            f"/api/v1/appointment-types/{visit_type.pk}",
            {"buffer_after_minutes": 0, "duration_minutes": 60},
            format="json",
        )
        visit = Appointment.objects.get(pk=booked["id"])
        assert (visit.duration_minutes, visit.buffer_after_minutes) == (30, 20)
        payload = booking(world, start + timedelta(minutes=40), client=world.other_client.pk)
        refused(api(world.staff).post(URL, payload, format="json"), 409, "slot_taken")

    def test_the_same_doctor_and_client_again_is_slot_taken(self, world, api):
        """Both the doctor's and the client's constraint refuse it: the doctor's time comes first."""
        start = next_slot()
        assert api(world.staff).post(URL, booking(world, start), format="json").status_code == 201
        refused(api(world.staff).post(URL, booking(world, start), format="json"), 409, "slot_taken")
        other_doctor = booking(world, start, doctor=world.other_doctor.pk)
        refused(api(world.staff).post(URL, other_doctor, format="json"), 409, "client_busy")


class TestRooms:
    def test_a_type_that_requires_a_room_needs_one(self, world, api):
        procedure = AppointmentTypeFactory(requires_room=True)
        refused(
            api(world.staff).post(URL, typed(world, next_slot(), procedure), format="json"),
            400,
            "room_required",
        )
        assert not Appointment.objects.exists()
        room = RoomFactory()
        response = api(world.staff).post(
            URL, typed(world, next_slot(), procedure, room=room.pk), format="json"
        )
        assert response.status_code == 201
        assert response.json()["room"] == room.pk

    def test_two_visits_in_one_room_may_not_overlap(self, world, api):
        start, room = next_slot(), RoomFactory()
        AppointmentFactory(doctor=world.other_doctor, client=world.other_client, starts_at=start, room=room)
        response = api(world.staff).post(
            URL, booking(world, start + timedelta(minutes=15), room=room.pk), format="json"
        )
        refused(response, 409, "room_taken")
        assert Appointment.objects.count() == 1

    def test_back_to_back_in_a_room_is_fine_whatever_the_buffers(self, world, api):
        """A room is held by the visit itself; buffers are the doctor's time."""
        start, room = next_slot(), RoomFactory()
        buffered = AppointmentTypeFactory(buffer_after_minutes=30)
        AppointmentFactory(
            doctor=world.other_doctor, client=world.other_client, starts_at=start, room=room,
            appointment_type=buffered,
        )  # fmt: skip
        response = api(world.staff).post(
            URL, booking(world, start + timedelta(minutes=30), room=room.pk), format="json"
        )
        assert response.status_code == 201

    def test_other_rooms_and_cancelled_visits_do_not_count(self, world, api):
        start, room, other = next_slot(), RoomFactory(), RoomFactory()
        AppointmentFactory(doctor=world.other_doctor, client=world.other_client, starts_at=start, room=other)
        AppointmentFactory(
            doctor=world.other_doctor, client=world.other_client, starts_at=start + timedelta(hours=2),
            room=room, status=Status.NO_SHOW,
        )  # fmt: skip
        assert (
            api(world.staff).post(URL, booking(world, start, room=room.pk), format="json").status_code == 201
        )
        later = booking(world, start + timedelta(hours=2), room=room.pk)
        assert api(world.staff).post(URL, later, format="json").status_code == 201

    def test_an_archived_or_unknown_room_is_400_naming_the_field(self, world, api):
        archived = RoomFactory(active=False)
        for room in (archived.pk, 999999):
            response = api(world.staff).post(URL, booking(world, next_slot(), room=room), format="json")
            refused(response, 400, "validation_error")
            assert "room" in response.json()["errors"]


class TestPatientRules:
    def test_a_patient_books_only_patient_bookable_types(self, world, api):
        staff_only = AppointmentTypeFactory(patient_bookable=False)
        refused(
            api(world.patient).post(URL, typed(world, next_slot(), staff_only), format="json"),
            400,
            "type_not_bookable",
        )
        assert not Appointment.objects.exists()
        assert (
            api(world.staff).post(URL, typed(world, next_slot(), staff_only), format="json").status_code
            == 201
        )

    @pytest.mark.parametrize(("minutes_ahead", "status"), [(60, 400), (119, 400), (125, 201)])
    def test_a_patient_books_with_enough_notice(self, world, api, minutes_ahead, status):
        start = (timezone.now() + timedelta(minutes=minutes_ahead)).replace(second=0, microsecond=0)
        start += timedelta(minutes=1)
        response = api(world.patient).post(URL, booking(world, start), format="json")
        assert response.status_code == status
        if status == 400:
            assert response.json()["code"] == "too_short_notice"

    def test_a_patient_books_within_the_horizon(self, world, api):
        refused(
            api(world.patient).post(URL, booking(world, next_slot(days=91)), format="json"),
            400,
            "too_far_ahead",
        )
        assert (
            api(world.patient).post(URL, booking(world, next_slot(days=89)), format="json").status_code == 201
        )

    def test_the_limits_are_settings(self, world, api, settings):
        settings.BOOKING_MIN_NOTICE_MINUTES = 0
        settings.BOOKING_HORIZON_DAYS = 7
        soon = timezone.now() + timedelta(minutes=10)
        assert api(world.patient).post(URL, booking(world, soon), format="json").status_code == 201
        refused(
            api(world.patient).post(URL, booking(world, next_slot(days=8)), format="json"),
            400,
            "too_far_ahead",
        )

    def test_staff_may_book_soon_and_far_ahead(self, world, api):
        soon = timezone.now() + timedelta(minutes=10)
        assert api(world.staff).post(URL, booking(world, soon), format="json").status_code == 201
        assert (
            api(world.staff).post(URL, booking(world, next_slot(days=400)), format="json").status_code == 201
        )


class TestMoving:
    """PATCH obeys the same rules for what it moves."""

    def test_moving_into_a_buffer_is_slot_taken(self, world, api):
        start = next_slot()
        buffered = AppointmentTypeFactory(buffer_after_minutes=15)
        AppointmentFactory(
            doctor=world.doctor, client=world.other_client, starts_at=start, appointment_type=buffered
        )
        mine = AppointmentFactory(
            doctor=world.doctor, client=world.client, starts_at=start + timedelta(hours=2)
        )
        moved = api(world.staff).patch(
            f"{URL}{mine.pk}", {"starts_at": (start + timedelta(minutes=40)).isoformat()}, format="json"
        )
        refused(moved, 409, "slot_taken")
        mine.refresh_from_db()
        assert mine.starts_at == start + timedelta(hours=2)

    def test_moving_into_a_taken_room_is_room_taken(self, world, api):
        start, room = next_slot(), RoomFactory()
        AppointmentFactory(doctor=world.other_doctor, client=world.other_client, starts_at=start, room=room)
        mine = AppointmentFactory(doctor=world.doctor, client=world.client, starts_at=start)
        refused(
            api(world.staff).patch(f"{URL}{mine.pk}", {"room": room.pk}, format="json"), 409, "room_taken"
        )
        assert (
            api(world.staff).patch(f"{URL}{mine.pk}", {"room": RoomFactory().pk}, format="json").status_code
            == 200
        )

    def test_a_new_type_brings_its_duration_and_buffers(self, world, api):
        mine = AppointmentFactory(doctor=world.doctor, client=world.client, starts_at=next_slot())
        long_visit = AppointmentTypeFactory(duration_minutes=60, buffer_before_minutes=5)
        body = (
            api(world.staff)
            .patch(f"{URL}{mine.pk}", {"appointment_type": long_visit.pk}, format="json")
            .json()
        )
        assert (body["appointment_type"], body["duration_minutes"]) == (long_visit.pk, 60)
        mine.refresh_from_db()
        assert (mine.buffer_before_minutes, mine.blocked_from) == (5, mine.starts_at - timedelta(minutes=5))
        cleared = api(world.staff).patch(f"{URL}{mine.pk}", {"appointment_type": None}, format="json").json()
        mine.refresh_from_db()
        assert (cleared["appointment_type"], cleared["duration_minutes"], mine.buffer_before_minutes) == (
            None,
            60,
            0,
        )

    def test_a_new_type_that_requires_a_room_needs_one(self, world, api):
        mine = AppointmentFactory(doctor=world.doctor, client=world.client, starts_at=next_slot())
        procedure = AppointmentTypeFactory(requires_room=True)
        refused(
            api(world.staff).patch(f"{URL}{mine.pk}", {"appointment_type": procedure.pk}, format="json"),
            400,
            "room_required",
        )
        both = {"appointment_type": procedure.pk, "room": RoomFactory().pk}
        assert api(world.staff).patch(f"{URL}{mine.pk}", both, format="json").status_code == 200
        refused(
            api(world.staff).patch(f"{URL}{mine.pk}", {"room": None}, format="json"), 400, "room_required"
        )

    def test_a_doctor_may_not_change_the_type_or_room(self, world, api):
        mine = AppointmentFactory(doctor=world.doctor, client=world.client, starts_at=next_slot())
        response = api(world.doctor).patch(f"{URL}{mine.pk}", {"room": RoomFactory().pk}, format="json")
        refused(response, 403, "permission_denied")
