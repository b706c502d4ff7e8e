"""Ten bookings of one slot at once, each on its own connection: exactly one wins."""

import pytest

from clinic.tests.factories import ClientFactory
from config.tests.concurrency import run_concurrently
from scheduling.models import Appointment
from scheduling.tests.factories import next_slot

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
