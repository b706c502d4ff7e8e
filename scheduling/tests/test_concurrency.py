"""Ten bookings of one slot at once, each on its own connection: exactly one wins."""

import threading

import pytest
from django.db import connection

from clinic.tests.factories import ClientFactory
from scheduling.models import Appointment
from scheduling.tests.factories import next_slot

THREADS = 12


@pytest.mark.django_db(transaction=True)
def test_exactly_one_of_many_racing_bookings_wins(world, api):
    clients = [ClientFactory() for _ in range(THREADS)]
    start = next_slot().isoformat()
    barrier = threading.Barrier(THREADS)
    answers = []

    def book(client):
        try:
            payload = {
                "client": client.pk,
                "doctor": world.doctor.pk,
                "starts_at": start,
                "duration_minutes": 30,
            }
            barrier.wait()
            response = api(world.staff).post("/api/v1/appointments/", payload, format="json")
            answers.append((response.status_code, response.json().get("code")))
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers, key=str) == sorted([(201, None)] + [(409, "slot_taken")] * (THREADS - 1), key=str)
    assert Appointment.objects.count() == 1
