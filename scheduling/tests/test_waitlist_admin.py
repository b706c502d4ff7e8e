"""The waitlist in the admin: entries scoped as in the API, added and removed
through the entries service, their offers shown without the token, and
"Offer now": the earliest free time that suits a waiting entry held and
emailed once, or a readable refusal with nothing stored."""

from datetime import time, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import AuditAction, AuditEvent
from clinic.tests.factories import ClientFactory
from config.exceptions import DomainError
from config.tests.concurrency import run_concurrently
from scheduling.models import Appointment, Status, WorkingHours
from scheduling.services import cancel_appointment
from scheduling.tests.factories import AppointmentFactory, AppointmentTypeFactory, next_slot
from scheduling.tests.helpers import at
from scheduling.tests.reminder_support import run_worker
from scheduling.waitlist import offers, slots
from scheduling.waitlist.models import EntryStatus, OfferStatus, WaitlistEntry, WaitlistOffer

pytestmark = pytest.mark.django_db
LIST = "/admin/scheduling/waitlistentry/"
ADD = f"{LIST}add/"


def page_of(entry) -> str:
    return f"{LIST}{entry.pk}/change/"


def waiting(client, *, until=None, **fields) -> WaitlistEntry:
    """An entry from today until `until` (default: two weeks ahead)."""
    today = timezone.localdate()
    return WaitlistEntry.objects.create(
        client=client, earliest_date=today, latest_date=until or today + timedelta(days=14), **fields
    )


def tomorrow():
    return timezone.localdate() + timedelta(days=1)


def works(doctor, day, start=9, end=12) -> None:
    WorkingHours.objects.create(doctor=doctor, weekday=day.weekday(), start=time(start), end=time(end))


def shown(response) -> list[int]:
    assert response.status_code == 200
    return [entry.pk for entry in response.context["cl"].result_list]


def offer_emails() -> list:
    return [m for m in mail.outbox if m.extra_headers.get("X-Clinic-Email") == "waitlist_offer"]


def messages_of(browser, response) -> list[str]:
    return [str(message) for message in browser.get(response["Location"]).context["messages"]]


class TestList:
    def test_each_role_sees_the_entries_the_api_shows_it(self, world, admin_as):
        mine, theirs = waiting(world.client), waiting(world.other_client)
        unassigned = waiting(ClientFactory())
        everyone = {mine.pk, theirs.pk, unassigned.pk}
        assert set(shown(admin_as(world.admin).get(LIST))) == everyone
        assert set(shown(admin_as(world.staff).get(LIST))) == everyone
        assert shown(admin_as(world.doctor).get(LIST)) == [mine.pk]
        assert shown(admin_as(world.other_doctor).get(LIST)) == [theirs.pk]
        assert admin_as(world.patient).get(LIST).status_code == 302  # to the admin's login page
        assert admin_as(world.doctor).get(page_of(theirs)).status_code == 302  # "doesn't exist"

    def test_status_filter_and_search_by_the_clients_name(self, world, admin_as):
        world.client.last_name = "Rossi"
        world.client.save()
        rossi, other = waiting(world.client), waiting(world.other_client, status=EntryStatus.CANCELLED)
        desk = admin_as(world.staff)
        assert shown(desk.get(LIST, {"status__exact": "cancelled"})) == [other.pk]
        assert shown(desk.get(LIST, {"q": "Rossi"})) == [rossi.pk]

    @pytest.mark.parametrize("role", ["staff", "doctor"])
    @pytest.mark.parametrize("rows", [3, 30])
    def test_the_list_does_not_grow_with_rows(
        self, world, admin_as, django_assert_max_num_queries, rows, role
    ):
        kind = AppointmentTypeFactory()
        for index in range(rows):
            client = ClientFactory(assigned_doctor=world.doctor)
            waiting(client, doctor=world.doctor if index % 2 else None, appointment_type=kind)
        browser = admin_as(world.user(role))
        browser.get(LIST)  # the session and the user, loaded once as on any admin page
        with django_assert_max_num_queries(7):
            assert len(shown(browser.get(LIST))) == rows


class TestEntryPage:
    def test_the_offer_shows_without_its_token_and_not_to_doctors(self, world, admin_as):
        entry = waiting(world.client)
        visit = AppointmentFactory(doctor=world.doctor, starts_at=next_slot(days=3))
        cancel_appointment(appointment=visit, by=world.staff)
        offer = WaitlistOffer.objects.get(entry=entry)
        page = admin_as(world.staff).get(page_of(entry))
        html = page.content.decode()
        assert page.status_code == 200 and "Offers" in html and "Pending" in html
        assert offer.token not in html and offer.token_hash not in html
        assert 'id="offer-now"' not in html and 'id="remove-entry"' in html  # offered: only Remove
        doctors = admin_as(world.doctor).get(page_of(entry)).content.decode()
        assert "Pending" not in doctors and offer.token not in doctors
        assert 'id="remove-entry"' not in doctors

    def test_a_doctor_reads_but_neither_adds_nor_acts(self, world, admin_as):
        entry = waiting(world.client)
        doctor = admin_as(world.doctor)
        assert doctor.get(ADD).status_code == 403
        assert doctor.post(f"{LIST}{entry.pk}/offer-now/").status_code == 403
        assert doctor.post(f"{LIST}{entry.pk}/remove/").status_code == 403
        assert WaitlistEntry.objects.get().status == EntryStatus.WAITING


class TestAddAndRemove:
    def test_staff_add_an_entry_through_the_service(self, world, admin_as):
        day = tomorrow()
        kind = AppointmentTypeFactory()
        data = {
            "client": world.client.pk, "doctor": world.doctor.pk, "appointment_type": kind.pk,
            "earliest_date": day.isoformat(), "latest_date": (day + timedelta(days=5)).isoformat(),
            "notes": "Mornings", "_save": "Save",
        }  # fmt: skip
        response = admin_as(world.staff).post(ADD, data)
        assert response.status_code == 302, response.content.decode()[:2000]
        entry = WaitlistEntry.objects.get()
        assert (entry.client, entry.doctor, entry.appointment_type, entry.notes, entry.created_by) == (
            world.client, world.doctor, kind, "Mornings", world.staff
        )  # fmt: skip
        assert AuditEvent.objects.filter(
            action=AuditAction.CREATE, object_type="waitlistentry", object_id=str(entry.pk), actor=world.staff
        ).exists()
        assert not AuditEvent.objects.filter(object_type="logentry").exists()

    def test_a_refused_entry_is_a_form_error_and_nothing_is_stored(self, world, admin_as):
        day = tomorrow()
        data = {
            "client": world.client.pk, "earliest_date": day.isoformat(),
            "latest_date": (day - timedelta(days=2)).isoformat(), "notes": "",
        }  # fmt: skip
        response = admin_as(world.staff).post(ADD, data)
        assert response.status_code == 200
        assert "Must not be before earliest_date." in response.content.decode()
        assert not WaitlistEntry.objects.exists()

    def test_remove_takes_the_entry_off_and_withdraws_its_offer(self, world, admin_as):
        offered = waiting(world.client)
        visit = AppointmentFactory(doctor=world.doctor, starts_at=next_slot(days=3))
        cancel_appointment(appointment=visit, by=world.staff)
        offer = WaitlistOffer.objects.get(entry=offered)
        desk = admin_as(world.staff)
        response = desk.post(f"{LIST}{offered.pk}/remove/")
        assert response["Location"] == page_of(offered)
        offered.refresh_from_db()
        assert offered.status == EntryStatus.CANCELLED
        assert WaitlistOffer.objects.get(pk=offer.pk).status == OfferStatus.WITHDRAWN
        assert not Appointment.objects.filter(pk=offer.hold_id).exists()

        other, booked = waiting(world.other_client), waiting(ClientFactory(), status=EntryStatus.BOOKED)
        desk.post(LIST, {"action": "remove_selected", "_selected_action": [other.pk, booked.pk]})
        statuses = dict(WaitlistEntry.objects.values_list("pk", "status"))
        assert (statuses[other.pk], statuses[booked.pk]) == (EntryStatus.CANCELLED, EntryStatus.BOOKED)
        assert WaitlistEntry.objects.count() == 3  # removing keeps the rows


class TestOfferNow:
    def test_it_holds_the_earliest_free_time_and_emails_the_client_once(
        self, world, admin_as, django_capture_on_commit_callbacks
    ):
        day = tomorrow()
        works(world.doctor, day)
        AppointmentFactory(doctor=world.doctor, client=world.other_client, starts_at=at(day, 9))
        kind = AppointmentTypeFactory(duration_minutes=45, buffer_after_minutes=15)
        entry = waiting(world.client, doctor=world.doctor, appointment_type=kind)
        desk = admin_as(world.staff)
        assert 'id="offer-now"' in desk.get(page_of(entry)).content.decode()

        with django_capture_on_commit_callbacks(execute=True):
            response = desk.post(f"{LIST}{entry.pk}/offer-now/")
        run_worker()

        offer = WaitlistOffer.objects.get()
        hold = offer.hold
        assert (offer.entry_id, offer.status, offer.starts_at) == (
            entry.pk,
            OfferStatus.PENDING,
            at(day, 9, 45),
        )
        assert (hold.status, hold.client, hold.doctor, hold.appointment_type) == (
            Status.HELD, world.client, world.doctor, kind
        )  # fmt: skip
        assert (hold.duration_minutes, hold.buffer_after_minutes) == (45, 15)
        assert WaitlistEntry.objects.get().status == EntryStatus.OFFERED
        [email] = offer_emails()
        assert email.to == [world.client.email] and offer.token in email.body
        assert WaitlistOffer.objects.get().sent_at is not None
        assert offers.deliver_offer(offer.pk) == "skipped" and len(offer_emails()) == 1
        assert response["Location"] == page_of(entry)
        [message] = messages_of(desk, response)
        assert message.startswith(f"Entry {entry.pk}: offered ")
        assert world.client.last_name not in message
        assert AuditEvent.objects.filter(
            action=AuditAction.UPDATE, object_type="waitlistentry", object_id=str(entry.pk), actor=world.staff
        ).exists()

    def test_without_a_doctor_or_type_the_earliest_of_any_doctor_for_30_minutes(self, world, admin_as):
        day = tomorrow()
        works(world.doctor, day, 11, 12)
        works(world.other_doctor, day, 10, 11)
        entry = waiting(world.client)
        admin_as(world.admin).post(LIST, {"action": "offer_now_selected", "_selected_action": [entry.pk]})
        hold = WaitlistOffer.objects.get().hold
        assert (hold.doctor, hold.starts_at, hold.ends_at) == (
            world.other_doctor,
            at(day, 10),
            at(day, 10, 30),
        )

    def test_a_time_the_client_is_busy_at_passes_to_the_next(self, world, admin_as):
        day = tomorrow()
        works(world.doctor, day)
        AppointmentFactory(doctor=world.other_doctor, client=world.client, starts_at=at(day, 9))
        entry = waiting(world.client, doctor=world.doctor)
        admin_as(world.staff).post(f"{LIST}{entry.pk}/offer-now/")
        assert WaitlistOffer.objects.get().starts_at == at(day, 9, 30)

    def test_days_already_read_cost_no_query(self, world, django_assert_max_num_queries):
        day = tomorrow()
        works(world.doctor, day)
        entry = waiting(world.client, doctor=world.doctor, until=day)
        first = list(slots.free_times(entry))  # fills availability's cache
        with django_assert_max_num_queries(2):  # the doctors and their working weekdays
            assert list(slots.free_times(entry)) == first

    def test_a_cached_time_taken_since_passes_to_the_next(self, world, admin_as):
        day = tomorrow()
        works(world.doctor, day, 9, 10)
        entry = waiting(world.client, doctor=world.doctor, until=day)
        list(slots.free_times(entry))  # 09:00 and 09:30 cached as free
        AppointmentFactory(
            doctor=world.doctor, client=world.other_client, starts_at=at(day, 9)
        )  # no cache bump
        admin_as(world.staff).post(f"{LIST}{entry.pk}/offer-now/")
        assert WaitlistOffer.objects.get().starts_at == at(day, 9, 30)

    def test_nothing_free_is_a_message_and_nothing_is_stored(
        self, world, admin_as, django_capture_on_commit_callbacks
    ):
        day = tomorrow()
        works(world.doctor, day, 9, 10)
        AppointmentFactory(
            doctor=world.doctor, client=world.other_client, starts_at=at(day, 9), duration_minutes=60
        )
        entry = waiting(world.client, doctor=world.doctor, until=day)
        appointments = Appointment.objects.count()
        desk = admin_as(world.staff)
        with django_capture_on_commit_callbacks(execute=True):
            response = desk.post(f"{LIST}{entry.pk}/offer-now/")
        run_worker()
        assert messages_of(desk, response) == [
            f"Entry {entry.pk}: No free time suits this entry between its dates."
        ]
        assert not WaitlistOffer.objects.exists() and Appointment.objects.count() == appointments
        assert WaitlistEntry.objects.get(pk=entry.pk).status == EntryStatus.WAITING
        assert offer_emails() == []
        assert not AuditEvent.objects.filter(object_type="waitlistentry").exists()

    def test_an_entry_that_is_not_waiting_is_refused(self, world, admin_as):
        day = tomorrow()
        works(world.doctor, day)
        entry = waiting(world.client, doctor=world.doctor, status=EntryStatus.CANCELLED)
        desk = admin_as(world.staff)
        assert 'id="offer-now"' not in desk.get(page_of(entry)).content.decode()
        response = desk.post(f"{LIST}{entry.pk}/offer-now/")
        assert messages_of(desk, response) == [
            f"Entry {entry.pk}: Only a waiting entry can be offered a time."
        ]
        assert not WaitlistOffer.objects.exists()
        with pytest.raises(DomainError) as refused:
            offers.offer_now(entry)
        assert refused.value.default_code == "entry_not_waiting"


@pytest.mark.django_db(transaction=True)
def test_two_entries_racing_for_the_one_free_time_one_gets_it(world):
    day = tomorrow()
    works(world.doctor, day, 9, 10)
    AppointmentFactory(doctor=world.doctor, client=ClientFactory(), starts_at=at(day, 9, 30))
    entries = [
        waiting(client, doctor=world.doctor, until=day) for client in (world.client, world.other_client)
    ]

    def offer(entry):
        def attempt():
            try:
                return offers.offer_now(entry).starts_at
            except DomainError as error:
                return error.default_code

        return attempt

    results = run_concurrently([offer(entry) for entry in entries])
    assert sorted(results, key=str) == sorted([at(day, 9), "no_free_slot"], key=str)
    assert WaitlistOffer.objects.count() == 1
    assert Appointment.objects.filter(status=Status.HELD).count() == 1
