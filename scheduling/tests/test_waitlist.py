"""The waitlist (API.md, "Waitlist"): entries, a freed slot held and offered
to the oldest matching entry, answered by the emailed token, expiring once."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from clinic.tests.factories import ClientFactory
from config.tests.concurrency import run_concurrently
from scheduling.models import Appointment, Reminder, Status
from scheduling.services import cancel_appointment
from scheduling.tests.factories import AppointmentFactory, AppointmentTypeFactory, next_slot
from scheduling.tests.reminder_support import run_worker
from scheduling.waitlist import offers
from scheduling.waitlist.models import EntryStatus, OfferStatus, WaitlistEntry, WaitlistOffer

pytestmark = pytest.mark.django_db
URL = "/api/v1/waitlist/"


def refused(response, status: int, code: str) -> None:
    assert (response.status_code, response.json()["code"]) == (status, code), response.json()


def entry_body(client, **extra) -> dict:
    today = timezone.localdate()
    return {
        "client": client.pk,
        "earliest_date": today.isoformat(),
        "latest_date": (today + timedelta(days=30)).isoformat(),
        **extra,
    }


def waiting(client, **fields) -> WaitlistEntry:
    today = timezone.localdate()
    return WaitlistEntry.objects.create(
        client=client, earliest_date=today, latest_date=today + timedelta(days=30), **fields
    )


def cancel_visit(world, days=5, **fields) -> Appointment:
    """A booked visit of the doctor, cancelled by the front desk: its slot frees up."""
    visit = AppointmentFactory(doctor=world.doctor, starts_at=next_slot(days=days), **fields)
    cancel_appointment(appointment=visit, by=world.staff)
    return visit


class TestEntries:
    def test_a_patient_joins_for_their_own_record(self, world, api):
        response = api(world.patient).post(URL, entry_body(world.client, notes="Mornings"), format="json")
        assert response.status_code == 201, response.json()
        body = response.json()
        assert (body["client"], body["status"], body["offer"], body["notes"]) == (
            world.client.pk, "waiting", None, "Mornings"
        )  # fmt: skip
        assert WaitlistEntry.objects.get().created_by == world.patient

    def test_a_patient_may_not_name_another_record_nor_a_staff_only_type(self, world, api):
        refused(
            api(world.patient).post(URL, entry_body(world.other_client), format="json"),
            400,
            "validation_error",
        )
        staff_only = AppointmentTypeFactory(patient_bookable=False)
        body = entry_body(world.client, appointment_type=staff_only.pk)
        refused(api(world.patient).post(URL, body, format="json"), 400, "type_not_bookable")
        assert api(world.staff).post(URL, body, format="json").status_code == 201

    def test_dates_out_of_order_or_past_are_400(self, world, api):
        today = timezone.localdate()
        backwards = entry_body(world.client, latest_date=(today - timedelta(days=1)).isoformat())
        response = api(world.staff).post(URL, backwards, format="json")
        refused(response, 400, "validation_error")
        assert "latest_date" in response.json()["errors"]
        assert not WaitlistEntry.objects.exists()

    def test_a_doctor_reads_but_does_not_add_or_remove(self, world, api):
        entry = waiting(world.client)
        assert [row["id"] for row in api(world.doctor).get(URL).json()["results"]] == [entry.pk]
        assert api(world.other_doctor).get(URL).json()["results"] == []
        refused(
            api(world.doctor).post(URL, entry_body(world.client), format="json"), 403, "permission_denied"
        )
        refused(api(world.doctor).delete(f"{URL}{entry.pk}"), 403, "permission_denied")

    def test_delete_takes_the_entry_off_the_list(self, world, api):
        entry = waiting(world.client)
        assert api(world.patient).delete(f"{URL}{entry.pk}").status_code == 204
        entry.refresh_from_db()
        assert entry.status == EntryStatus.CANCELLED
        cancel_visit(world)
        assert not WaitlistOffer.objects.exists()

    def test_the_list_takes_a_fixed_number_of_queries(self, world, api, django_assert_max_num_queries):
        for _ in range(3):
            waiting(ClientFactory())
        for days in (5, 6):
            cancel_visit(world, days=days)
        staff = api(world.staff)
        staff.get(URL)
        with django_assert_max_num_queries(4):
            rows = staff.get(URL).json()["results"]
        assert sum(row["offer"] is not None for row in rows) == 2


class TestOffers:
    def test_a_cancelled_visit_is_held_for_the_oldest_matching_entry(self, world, api):
        visit_type = AppointmentTypeFactory()
        waiting(world.other_client, doctor=world.other_doctor)  # another doctor
        waiting(world.other_client, appointment_type=AppointmentTypeFactory())  # another type
        first = waiting(world.client, doctor=world.doctor, appointment_type=visit_type)
        second = waiting(ClientFactory())
        visit = cancel_visit(world, appointment_type=visit_type)
        offer = WaitlistOffer.objects.get()
        assert (offer.entry, offer.starts_at, offer.ends_at) == (first, visit.starts_at, visit.ends_at)
        hold = offer.hold
        assert (hold.status, hold.client, hold.doctor, hold.appointment_type) == (
            Status.HELD, world.client, world.doctor, visit_type
        )  # fmt: skip
        assert offer.expires_at == pytest.approx(
            timezone.now() + timedelta(minutes=30), abs=timedelta(seconds=5)
        )
        assert WaitlistEntry.objects.get(pk=first.pk).status == EntryStatus.OFFERED
        assert WaitlistEntry.objects.get(pk=second.pk).status == EntryStatus.WAITING
        body = api(world.patient).get(f"{URL}{first.pk}").json()
        assert body["status"] == "offered"
        assert body["offer"]["token"] == offer.token
        assert api(world.staff).get(f"{URL}{first.pk}").json()["offer"]["token"] == offer.token
        assert api(world.doctor).get(f"{URL}{first.pk}").json()["offer"] is None

    def test_the_held_slot_is_blocked_and_leaves_availability(self, world, api):
        visit = cancel_visit(world)
        waiting(world.client)  # after the cancellation: nothing offered yet
        assert not WaitlistOffer.objects.exists()
        again = AppointmentFactory(doctor=world.doctor, starts_at=visit.starts_at + timedelta(days=1))
        waiting_entry = WaitlistEntry.objects.get()
        cancel_appointment(appointment=again, by=world.staff)
        assert WaitlistEntry.objects.get(pk=waiting_entry.pk).status == EntryStatus.OFFERED
        booking = {"client": world.other_client.pk, "doctor": world.doctor.pk,
                   "starts_at": again.starts_at.isoformat(), "duration_minutes": 30}  # fmt: skip
        refused(api(world.staff).post("/api/v1/appointments/", booking, format="json"), 409, "slot_taken")
        day = timezone.localtime(again.starts_at).date().isoformat()
        slots = (
            api(world.staff).get(f"/api/v1/doctors/{world.doctor.pk}/availability?date={day}").json()["slots"]
        )
        assert all(slot["starts_at"] != booking["starts_at"] for slot in slots)

    def test_moving_or_deleting_a_visit_offers_its_old_time(self, world, api):
        entry = waiting(world.client)
        visit = AppointmentFactory(doctor=world.doctor, starts_at=next_slot(days=5))
        moved = api(world.staff).patch(
            f"/api/v1/appointments/{visit.pk}", {"starts_at": next_slot(days=6).isoformat()}, format="json"
        )
        assert moved.status_code == 200
        assert WaitlistOffer.objects.get().starts_at == next_slot(days=5)
        api(world.patient).delete(f"{URL}{entry.pk}")
        other = waiting(world.other_client)
        assert api(world.admin).delete(f"/api/v1/appointments/{visit.pk}").status_code == 204
        assert WaitlistOffer.objects.filter(entry=other, status=OfferStatus.PENDING).count() == 1

    def test_the_offer_is_emailed_once_with_its_link(
        self, world, django_capture_on_commit_callbacks, settings
    ):
        waiting(world.client)
        with django_capture_on_commit_callbacks(execute=True):
            cancel_visit(world)
        run_worker()
        [email] = [m for m in mail.outbox if m.extra_headers.get("X-Clinic-Email") == "waitlist_offer"]
        offer = WaitlistOffer.objects.get()
        assert email.to == [world.client.email]
        assert f"{settings.FRONTEND_URL}/waitlist/offer?token={offer.token}" in email.body
        assert offer.token in email.alternatives[0][0]
        assert offer.sent_at is not None
        assert "is free for you" in email.subject and email.alternatives[0][1] == "text/html"
        assert offers.deliver_offer(offer.pk) == "skipped"
        assert len([m for m in mail.outbox if m.extra_headers.get("X-Clinic-Email") == "waitlist_offer"]) == 1


def offered(world) -> WaitlistOffer:
    waiting(world.client)
    cancel_visit(world)
    return WaitlistOffer.objects.get()


def answer(api, offer, verb):
    return api(None).post(f"{URL}offers/{offer.token}/{verb}")


def test_the_offer_email_is_in_the_clients_language(world, django_capture_on_commit_callbacks):
    world.client.language = "de"
    world.client.save()
    waiting(world.client)
    with django_capture_on_commit_callbacks(execute=True):
        cancel_visit(world)
    run_worker()
    [email] = [m for m in mail.outbox if m.extra_headers.get("X-Clinic-Email") == "waitlist_offer"]
    assert "ist für Sie frei" in email.subject
    assert "Ein Termin, auf den Sie gewartet haben" in email.body


class TestAnswers:
    def test_accept_makes_the_hold_the_booking(self, world, api, settings):
        offer = offered(world)
        response = answer(api, offer, "accept")
        assert response.status_code == 201, response.json()
        body = response.json()
        assert (body["id"], body["status"], body["client"]) == (offer.hold_id, "scheduled", world.client.pk)
        assert Reminder.objects.filter(appointment_id=offer.hold_id).count() == len(
            settings.REMINDER_OFFSETS_MINUTES
        )
        assert WaitlistEntry.objects.get().status == EntryStatus.BOOKED
        refused(answer(api, offer, "accept"), 410, "offer_expired")
        refused(answer(api, offer, "decline"), 410, "offer_expired")
        assert Appointment.objects.get(pk=offer.hold_id).status == Status.SCHEDULED

    def test_decline_frees_the_hold_for_the_next_entry(self, world, api):
        offer = offered(world)
        nxt = waiting(world.other_client)
        assert answer(api, offer, "decline").status_code == 204
        assert not Appointment.objects.filter(pk=offer.hold_id).exists()
        assert WaitlistOffer.objects.get(pk=offer.pk).status == OfferStatus.DECLINED
        assert WaitlistEntry.objects.get(pk=offer.entry_id).status == EntryStatus.WAITING
        following = WaitlistOffer.objects.get(entry=nxt)
        assert (following.status, following.starts_at) == (OfferStatus.PENDING, offer.starts_at)

    def test_an_unknown_token_is_410_and_a_bearer_is_ignored(self, world, api):
        offered(world)
        refused(api(world.staff).post(f"{URL}offers/not-a-token/accept"), 410, "offer_expired")

    def test_an_expired_hold_goes_to_the_next_entry_once(self, world, api):
        offer = offered(world)
        nxt = waiting(world.other_client)
        WaitlistOffer.objects.filter(pk=offer.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
        refused(answer(api, offer, "accept"), 410, "offer_expired")
        assert WaitlistOffer.objects.get(pk=offer.pk).status == OfferStatus.EXPIRED
        assert WaitlistEntry.objects.get(pk=offer.entry_id).status == EntryStatus.EXPIRED
        assert not Appointment.objects.filter(pk=offer.hold_id).exists()
        assert WaitlistOffer.objects.get(entry=nxt).status == OfferStatus.PENDING
        assert offers.expire_offer(offer.pk) is False

    def test_reconcile_expires_overdue_offers_and_resends_unsent_ones(self, world):
        offer = offered(world)
        assert offers.reconcile_offers() == {"expired": 0, "sent_again": 1}
        later = offer.expires_at + timedelta(seconds=1)
        assert offers.reconcile_offers(now=later) == {"expired": 1, "sent_again": 0}
        assert WaitlistOffer.objects.get().status == OfferStatus.EXPIRED

    def test_removing_an_offered_entry_withdraws_the_offer(self, world, api):
        offer = offered(world)
        nxt = waiting(world.other_client)
        assert api(world.patient).delete(f"{URL}{offer.entry_id}").status_code == 204
        assert WaitlistOffer.objects.get(pk=offer.pk).status == OfferStatus.WITHDRAWN
        assert WaitlistOffer.objects.get(entry=nxt).status == OfferStatus.PENDING


class TestAnswerRate:
    """OFFER_ANSWER_RATE per client IP: the token is the credential, so every
    answer counts, a guessed token's too (an hour's window: none turns mid-test)."""

    @pytest.fixture(autouse=True)
    def rate(self, settings):
        settings.OFFER_ANSWER_RATE, settings.TRUSTED_PROXY_COUNT = "3/h", 0

    def test_past_the_rate_an_ip_is_throttled_and_the_offer_left_as_it_was(self, world, api):
        offer = offered(world)
        for n, verb in enumerate(["accept", "decline", "accept"]):  # guesses count too
            refused(answer_from(api, f"guessed-token-{n:020d}", verb, GUESSER), 410, "offer_expired")

        for verb in ("accept", "decline"):
            response = answer_from(api, offer.token, verb, GUESSER)
            refused(response, 429, "throttled")
            assert int(response["Retry-After"]) >= 1

        unchanged = WaitlistOffer.objects.select_related("hold", "entry").get(pk=offer.pk)
        assert (unchanged.status, unchanged.entry.status) == (OfferStatus.PENDING, EntryStatus.OFFERED)
        assert unchanged.hold.status == Status.HELD
        accepted = answer_from(api, offer.token, "accept", "203.0.113.9")  # the client's own address
        assert accepted.status_code == 201, accepted.json()
        assert Appointment.objects.get(pk=offer.hold_id).status == Status.SCHEDULED


GUESSER = "198.51.100.7"


def answer_from(api, token: str, verb: str, address: str):
    return api(None).post(f"{URL}offers/{token}/{verb}", REMOTE_ADDR=address)


@pytest.mark.django_db(transaction=True)
def test_two_racing_accepts_of_one_offer_one_wins(world, api):
    offer = offered(world)

    def accept():
        return answer(api, offer, "accept").status_code

    assert sorted(run_concurrently([accept, accept])) == [201, 410]
    assert Appointment.objects.get(pk=offer.hold_id).status == Status.SCHEDULED
    assert Reminder.objects.filter(appointment_id=offer.hold_id).count() > 0
