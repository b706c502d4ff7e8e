"""Bookings of one slot, or of one room, at once, each on its own connection:
exactly one wins."""

import pytest

from accounts.tests.factories import DoctorFactory
from clinic.tests.factories import ClientFactory
from config.tests.concurrency import run_concurrently
from scheduling.models import Appointment
from scheduling.tests.factories import RoomFactory, next_slot

THREADS = 12


@pytest.mark.django_db(transaction=True)
def test_exactly_one_of_many_racing_bookings_wins(world, api):
    clients = [ClientFactory() for _ in range(THREADS)]
    start = next_slot().isoformat()

    def booking_of(client):
        payload = {"client": client.pk, "doctor": world.doctor.pk, "starts_at": start, "duration_minutes": 30}
        response = api(world.staff).post("/api/v1/appointments/", payload, format="json")
        return response.status_code, response.json().get("code")

    answers = run_concurrently([lambda client=client: booking_of(client) for client in clients])
    assert sorted(answers, key=str) == sorted([(201, None)] + [(409, "slot_taken")] * (THREADS - 1), key=str)
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize("racers", [2, THREADS])
@pytest.mark.django_db(transaction=True)
def test_exactly_one_of_racing_bookings_into_one_room_wins(world, api, racers):
    """Each racer has its own doctor and client: only the room is shared."""
    room, start = RoomFactory(), next_slot().isoformat()
    pairs = [(DoctorFactory(), ClientFactory()) for _ in range(racers)]

    def booking_of(doctor, client):
        payload = {"client": client.pk, "doctor": doctor.pk, "starts_at": start, "room": room.pk}
        response = api(world.staff).post("/api/v1/appointments/", payload, format="json")
        return response.status_code, response.json().get("code")

    answers = run_concurrently([lambda pair=pair: booking_of(*pair) for pair in pairs])
    assert sorted(answers, key=str) == sorted([(201, None)] + [(409, "room_taken")] * (racers - 1), key=str)
    assert Appointment.objects.filter(room=room).count() == 1
