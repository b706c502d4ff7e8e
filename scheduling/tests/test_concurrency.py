"""Bookings of one slot, or of one room, at once, each on its own connection:
exactly one wins. A cancellation racing a booking of the time it frees,
while a waitlist entry waits for it: the slot goes to one of them, never both."""

from collections import Counter
from datetime import timedelta

import pytest

from accounts.tests.factories import DoctorFactory
from clinic.tests.factories import ClientFactory
from config.tests.concurrency import run_concurrently
from scheduling.models import Appointment, Status
from scheduling.selectors import local_date
from scheduling.tests.factories import AppointmentFactory, RoomFactory, next_slot
from scheduling.waitlist.models import OfferStatus, WaitlistEntry

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


ROUNDS = 20


@pytest.mark.django_db(transaction=True)
def test_a_cancellation_racing_a_booking_of_the_freed_slot_gives_it_to_one_of_them(world, api):
    """Each round: a booked visit, a waitlist entry it suits; the front desk
    cancels it while another booking of its time arrives. The cancellation
    always succeeds; the time ends up either booked (201, no hold) or held
    for the entry (409 slot_taken, a hold with a pending offer), never both."""
    outcomes = Counter()
    staff = api(world.staff)
    for round_ in range(ROUNDS):
        start = next_slot(days=2 + round_)
        visit = AppointmentFactory(doctor=world.doctor, starts_at=start)
        day = local_date(start)  # this round's slot only: an earlier round's entry may still wait
        entry = WaitlistEntry.objects.create(client=ClientFactory(), earliest_date=day, latest_date=day)
        booking = {"client": ClientFactory().pk, "doctor": world.doctor.pk, "starts_at": start.isoformat()}

        def cancel(visit=visit):
            return staff.post(f"/api/v1/appointments/{visit.pk}/cancel").status_code

        def book(booking=booking):
            response = staff.post("/api/v1/appointments/", booking, format="json")
            return response.status_code, response.json().get("code")

        cancelled, booked = run_concurrently([cancel, book])

        assert cancelled == 200, round_
        assert Appointment.objects.get(pk=visit.pk).status == Status.CANCELLED
        live = (
            Appointment.objects.active()
            .filter(doctor=world.doctor)
            .holding(start, start + timedelta(minutes=30))
        )
        assert live.count() <= 1, round_  # never a hold and a booking over one time
        holds = live.filter(status=Status.HELD)
        if booked == (201, None):
            assert not holds.exists() and live.get().status == Status.SCHEDULED, round_
            assert WaitlistEntry.objects.get(pk=entry.pk).status == "waiting" and not entry.offers.exists()
            outcomes["booking won"] += 1
        else:
            assert booked == (409, "slot_taken"), (round_, booked)
            hold = holds.get()
            assert (hold.client_id, hold.offer.status) == (entry.client_id, OfferStatus.PENDING), round_
            outcomes["hold won"] += 1
    print(f"cancellation vs booking of the freed slot, {ROUNDS} rounds: {dict(outcomes)}")
    assert sum(outcomes.values()) == ROUNDS
