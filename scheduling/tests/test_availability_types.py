"""Availability with a visit type and a room, and what a patient is offered
(API.md, "Availability"); kept fresh in the cache by every booking that
takes the doctor's time or the room."""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from scheduling.models import Status
from scheduling.tests.factories import AppointmentFactory, AppointmentTypeFactory, RoomFactory
from scheduling.tests.helpers import at, booking, future_weekday, give_hours

pytestmark = pytest.mark.django_db
committing = pytest.mark.django_db(transaction=True)  # versions are bumped after commit


def availability(api, user, doctor, day, **params):
    query = {"date": day.isoformat(), **{name: value for name, value in params.items() if value is not None}}
    return api(user).get(f"/api/v1/doctors/{doctor.pk}/availability", query)


def slots(response) -> list[tuple[str, str]]:
    """(start, end) as local HH:MM."""
    assert response.status_code == 200, response.json()
    return [
        tuple(
            f"{timezone.localtime(datetime.fromisoformat(slot[key])):%H:%M}"
            for key in ("starts_at", "ends_at")
        )
        for slot in response.json()["slots"]
    ]


def starts(response) -> list[str]:
    return [start for start, _ in slots(response)]


class TestTheType:
    def test_slots_last_the_types_duration(self, world, api):
        monday = future_weekday(0)
        give_hours(world.doctor, 0, "09:00", "11:00")
        visit_type = AppointmentTypeFactory(duration_minutes=40)
        response = availability(api, world.patient, world.doctor, monday, type=visit_type.pk)
        assert slots(response) == [("09:00", "09:40"), ("09:40", "10:20"), ("10:20", "11:00")]

    def test_a_given_duration_wins(self, world, api):
        monday = future_weekday(0)
        give_hours(world.doctor, 0, "09:00", "10:00")
        visit_type = AppointmentTypeFactory(duration_minutes=40)
        response = availability(api, world.staff, world.doctor, monday, type=visit_type.pk, duration=20)
        assert starts(response) == ["09:00", "09:20", "09:40"]

    def test_the_buffers_keep_slots_away_from_booked_visits(self, world, api):
        """A visit 10:00-10:30 whose type keeps 15 minutes after it; the asked type
        needs 10 minutes before: 10:30 and 10:45 are not free, 11:00 is... and
        09:30 ends at 10:00 with no buffer after, so it is free."""
        monday = future_weekday(0)
        give_hours(world.doctor, 0, "09:00", "12:00")
        cleanup = AppointmentTypeFactory(buffer_after_minutes=15)
        AppointmentFactory(
            doctor=world.doctor, client=world.other_client, starts_at=at(monday, 10), appointment_type=cleanup
        )
        prepared = AppointmentTypeFactory(duration_minutes=15, buffer_before_minutes=10)
        response = availability(api, world.staff, world.doctor, monday, type=prepared.pk)
        free = starts(response)
        assert "09:45" in free and "10:30" not in free and "10:45" not in free and "11:00" in free
        plain = starts(availability(api, world.staff, world.doctor, monday, duration=15))
        assert "10:30" not in plain and "10:45" in plain

    def test_a_buffer_after_keeps_a_slot_off_the_next_visit(self, world, api):
        monday = future_weekday(0)
        give_hours(world.doctor, 0, "09:00", "11:00")
        AppointmentFactory(doctor=world.doctor, client=world.other_client, starts_at=at(monday, 10))
        tidy = AppointmentTypeFactory(duration_minutes=30, buffer_after_minutes=5)
        assert starts(availability(api, world.staff, world.doctor, monday, type=tidy.pk)) == [
            "09:00",
            "10:30",
        ]

    def test_every_offered_slot_can_be_booked(self, world, api):
        monday = future_weekday(0)
        give_hours(world.doctor, 0, "09:00", "12:00")
        buffered = AppointmentTypeFactory(
            duration_minutes=25, buffer_before_minutes=5, buffer_after_minutes=10
        )
        AppointmentFactory(
            doctor=world.doctor,
            client=world.other_client,
            starts_at=at(monday, 10),
            appointment_type=buffered,
        )
        response = availability(api, world.staff, world.doctor, monday, type=buffered.pk)
        offered = response.json()["slots"]
        assert offered
        for slot in offered:
            payload = booking(world, datetime.fromisoformat(slot["starts_at"]), appointment_type=buffered.pk)
            del payload["duration_minutes"]
            made = api(world.staff).post("/api/v1/appointments/", payload, format="json")
            assert made.status_code == 201, (slot, made.json())
            api(world.staff).post(f"/api/v1/appointments/{made.json()['id']}/cancel")

    def test_a_patient_is_refused_a_type_they_may_not_book(self, world, api):
        monday = future_weekday(0)
        give_hours(world.doctor, 0, "09:00", "10:00")
        staff_only = AppointmentTypeFactory(patient_bookable=False)
        response = availability(api, world.patient, world.doctor, monday, type=staff_only.pk)
        assert (response.status_code, response.json()["code"]) == (400, "type_not_bookable")
        assert starts(availability(api, world.staff, world.doctor, monday, type=staff_only.pk)) == [
            "09:00",
            "09:30",
        ]

    @pytest.mark.parametrize("value", ["0", "x", "1.5", "", "999999", "2147483648"])
    def test_a_bad_or_unknown_type_is_400_naming_it(self, world, api, value):
        response = availability(api, world.staff, world.doctor, future_weekday(0), type=value)
        assert (response.status_code, response.json()["code"]) == (400, "validation_error")
        assert "type" in response.json()["errors"]

    def test_an_archived_type_is_400(self, world, api):
        archived = AppointmentTypeFactory(active=False)
        response = availability(api, world.staff, world.doctor, future_weekday(0), type=archived.pk)
        assert response.status_code == 400
        assert "type" in response.json()["errors"]


class TestTheRoom:
    def test_only_times_the_room_is_free_too(self, world, api):
        monday = future_weekday(0)
        give_hours(world.doctor, 0, "09:00", "11:00")
        room = RoomFactory()
        AppointmentFactory(
            doctor=world.other_doctor, client=world.other_client, starts_at=at(monday, 9, 30), room=room
        )
        assert starts(availability(api, world.staff, world.doctor, monday, room=room.pk)) == [
            "09:00",
            "10:00",
            "10:30",
        ]
        assert len(starts(availability(api, world.staff, world.doctor, monday))) == 4
        assert len(starts(availability(api, world.staff, world.doctor, monday, room=RoomFactory().pk))) == 4

    def test_a_type_and_a_room_together(self, world, api):
        monday = future_weekday(0)
        give_hours(world.doctor, 0, "09:00", "11:00")
        room = RoomFactory()
        AppointmentFactory(
            doctor=world.other_doctor, client=world.other_client, starts_at=at(monday, 10), room=room
        )
        AppointmentFactory(doctor=world.doctor, client=world.other_client, starts_at=at(monday, 9))
        buffered = AppointmentTypeFactory(duration_minutes=30, buffer_before_minutes=15)
        response = availability(api, world.staff, world.doctor, monday, type=buffered.pk, room=room.pk)
        assert starts(response) == ["10:30"]  # 09:30 holds from 09:15, in the 09:00 visit; 10:00 the room's

    def test_cancelled_visits_leave_the_room_free(self, world, api):
        monday = future_weekday(0)
        give_hours(world.doctor, 0, "09:00", "10:00")
        room = RoomFactory()
        AppointmentFactory(
            doctor=world.other_doctor, client=world.other_client, starts_at=at(monday, 9), room=room,
            status=Status.CANCELLED,
        )  # fmt: skip
        assert starts(availability(api, world.staff, world.doctor, monday, room=room.pk)) == [
            "09:00",
            "09:30",
        ]

    @pytest.mark.parametrize("archived", [True, False])
    def test_an_archived_or_unknown_room_is_400(self, world, api, archived):
        room = RoomFactory(active=False).pk if archived else 999999
        response = availability(api, world.staff, world.doctor, future_weekday(0), room=room)
        assert (response.status_code, response.json()["code"]) == (400, "validation_error")
        assert "room" in response.json()["errors"]


class TestWhatAPatientIsOffered:
    def test_no_slot_sooner_than_the_minimum_notice(self, world, api, settings):
        settings.BOOKING_MIN_NOTICE_MINUTES = 180
        today = timezone.localdate()
        give_hours(world.doctor, today.weekday(), "00:00", "23:59")
        now = timezone.now()
        offered = availability(api, world.patient, world.doctor, today, duration=5).json()["slots"]
        staff = availability(api, world.staff, world.doctor, today, duration=5).json()["slots"]
        earliest = now + timedelta(minutes=180)
        assert all(datetime.fromisoformat(slot["starts_at"]) >= earliest for slot in offered)
        soon = [slot for slot in staff if datetime.fromisoformat(slot["starts_at"]) < earliest]
        assert len(staff) == len(offered) + len(soon)

    def test_no_slot_beyond_the_horizon(self, world, api, settings):
        settings.BOOKING_HORIZON_DAYS = 14
        far = future_weekday(0, weeks_ahead=3)
        give_hours(world.doctor, 0, "09:00", "10:00")
        assert starts(availability(api, world.patient, world.doctor, far)) == []
        assert starts(availability(api, world.staff, world.doctor, far)) == ["09:00", "09:30"]
        assert starts(availability(api, world.patient, world.doctor, future_weekday(0))) == ["09:00", "09:30"]


def test_query_count_with_a_type_and_a_room(world, api):
    monday = future_weekday(0)
    give_hours(world.doctor, 0, "09:00", "17:00")
    visit_type, room = AppointmentTypeFactory(buffer_after_minutes=10), RoomFactory()
    for hour in (9, 11, 14):
        AppointmentFactory(doctor=world.doctor, client=world.client, starts_at=at(monday, hour), room=room)
    with CaptureQueriesContext(connection) as uncached:
        availability(api, world.staff, world.doctor, monday, type=visit_type.pk, room=room.pk)
    with CaptureQueriesContext(connection) as cached:
        availability(api, world.staff, world.doctor, monday, type=visit_type.pk, room=room.pk)
    # doctor, type, room; then working hours, visits (the doctor's and the room's) and time off
    assert (len(uncached), len(cached)) == (6, 3)


class TestTheCacheStaysFresh:
    @committing
    def test_another_doctors_visit_in_the_room_takes_the_slot_at_once(self, world, api):
        monday = future_weekday(0)
        give_hours(world.doctor, 0, "09:00", "10:00")
        give_hours(world.other_doctor, 0, "09:00", "10:00")
        room = RoomFactory()
        assert starts(availability(api, world.staff, world.doctor, monday, room=room.pk)) == [
            "09:00",
            "09:30",
        ]
        payload = booking(world, at(monday, 9), doctor=world.other_doctor.pk, client=world.other_client.pk)
        made = api(world.staff).post("/api/v1/appointments/", {**payload, "room": room.pk}, format="json")
        assert made.status_code == 201
        assert starts(availability(api, world.staff, world.doctor, monday, room=room.pk)) == ["09:30"]
        api(world.staff).patch(
            f"/api/v1/appointments/{made.json()['id']}",
            {"starts_at": at(monday, 9, 30).isoformat()},
            format="json",
        )
        assert starts(availability(api, world.staff, world.doctor, monday, room=room.pk)) == ["09:00"]
        api(world.staff).post(f"/api/v1/appointments/{made.json()['id']}/cancel")
        assert starts(availability(api, world.staff, world.doctor, monday, room=room.pk)) == [
            "09:00",
            "09:30",
        ]

    @committing
    def test_an_edited_type_is_offered_with_its_new_buffers_at_once(self, world, api):
        monday = future_weekday(0)
        give_hours(world.doctor, 0, "09:00", "10:30")
        AppointmentFactory(doctor=world.doctor, client=world.other_client, starts_at=at(monday, 10))
        visit_type = AppointmentTypeFactory(duration_minutes=30)
        assert starts(availability(api, world.staff, world.doctor, monday, type=visit_type.pk)) == [
            "09:00",
            "09:30",
        ]
        api(world.admin).patch(
            f"/api/v1/appointment-types/{visit_type.pk}", {"buffer_after_minutes": 5}, format="json"
        )
        assert starts(availability(api, world.staff, world.doctor, monday, type=visit_type.pk)) == ["09:00"]
