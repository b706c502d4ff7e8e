"""POST /api/v1/appointments/: the booking rules of API.md."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.tests.factories import StaffFactory
from scheduling.models import Appointment, Status, TimeOff
from scheduling.tests.factories import AppointmentFactory, next_slot
from scheduling.tests.helpers import at, booking, future_weekday, give_hours

pytestmark = pytest.mark.django_db
URL = "/api/v1/appointments/"


@pytest.mark.parametrize("role", ["admin", "staff", "patient"])
def test_booking_answers_201_with_the_whole_appointment(world, api, role):
    start = next_slot()
    response = api(world.user(role)).post(URL, booking(world, start), format="json")
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {
        "id", "client", "doctor", "starts_at", "duration_minutes", "ends_at", "appointment_type",
        "room", "status", "reason", "notes", "cancel_reason", "created_at", "updated_at", "series",
    }  # fmt: skip
    assert body["status"] == "scheduled"
    appointment = Appointment.objects.get()
    assert appointment.pk == body["id"]
    assert appointment.ends_at == start + timedelta(minutes=30)
    assert appointment.created_by == world.user(role)


def test_booking_is_audited_without_phi(world, api):
    response = api(world.staff).post(URL, booking(world, next_slot()), format="json")
    event = AuditEvent.objects.get(action="create", object_type="appointment")
    assert event.object_id == str(response.json()["id"])
    assert event.actor == world.staff
    assert "Headache" not in str(event.fields)


def test_doctor_cannot_book(world, api):
    response = api(world.doctor).post(URL, booking(world, next_slot()), format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not Appointment.objects.exists()


def test_anonymous_cannot_book(world, api):
    response = api().post(URL, booking(world, next_slot()), format="json")
    assert response.status_code == 401
    assert not Appointment.objects.exists()


def test_patient_booking_for_another_client_is_400_like_an_unknown_id(world, api):
    other = api(world.patient).post(
        URL, booking(world, next_slot(), client=world.other_client.pk), format="json"
    )
    unknown = api(world.patient).post(URL, booking(world, next_slot(), client=999999), format="json")
    assert other.status_code == unknown.status_code == 400
    assert other.json()["code"] == "validation_error"
    assert other.json()["errors"]["client"] == unknown.json()["errors"]["client"]
    assert not Appointment.objects.exists()


def test_overlap_with_the_same_doctor_is_409_slot_taken(world, api):
    start = next_slot()
    AppointmentFactory(doctor=world.doctor, client=world.other_client, starts_at=start)
    response = api(world.staff).post(URL, booking(world, start + timedelta(minutes=15)), format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "slot_taken"
    assert Appointment.objects.count() == 1
    assert not AuditEvent.objects.filter(action="create").exists()


def test_overlap_of_the_same_client_is_409_client_busy(world, api):
    start = next_slot()
    AppointmentFactory(doctor=world.other_doctor, client=world.client, starts_at=start)
    response = api(world.staff).post(URL, booking(world, start), format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "client_busy"
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize("status", [Status.CANCELLED, Status.NO_SHOW])
def test_cancelled_and_no_show_visits_do_not_block(world, api, status):
    start = next_slot()
    AppointmentFactory(doctor=world.doctor, client=world.client, starts_at=start, status=status)
    response = api(world.staff).post(URL, booking(world, start), format="json")
    assert response.status_code == 201
    assert Appointment.objects.count() == 2


def test_back_to_back_bookings_are_fine(world, api):
    start = next_slot()
    AppointmentFactory(doctor=world.doctor, client=world.client, starts_at=start)
    response = api(world.staff).post(URL, booking(world, start + timedelta(minutes=30)), format="json")
    assert response.status_code == 201


def test_starts_at_in_the_past_is_400(world, api):
    past = timezone.now() - timedelta(minutes=1)
    response = api(world.staff).post(URL, booking(world, past), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert "starts_at" in response.json()["errors"]
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(("minutes", "status"), [(4, 400), (5, 201), (480, 201), (481, 400)])
def test_duration_must_be_5_to_480(world, api, minutes, status):
    response = api(world.staff).post(
        URL, booking(world, next_slot(), duration_minutes=minutes), format="json"
    )
    assert response.status_code == status
    if status == 400:
        assert response.json()["errors"]["duration_minutes"]
    assert Appointment.objects.count() == (1 if status == 201 else 0)


@pytest.mark.parametrize("who", ["patient", "inactive_doctor", "staff"])
def test_doctor_must_be_an_active_doctor(world, api, who):
    doctor = {"patient": world.patient, "staff": world.staff, "inactive_doctor": world.other_doctor}[who]
    if who == "inactive_doctor":
        doctor.is_active = False
        doctor.save()
    response = api(world.staff).post(URL, booking(world, next_slot(), doctor=doctor.pk), format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["doctor"]
    assert not Appointment.objects.exists()


def test_archived_client_cannot_be_booked(world, api):
    world.client.is_archived = True
    world.client.save()
    response = api(world.staff).post(URL, booking(world, next_slot()), format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["client"]


class TestWorkingHours:
    @pytest.mark.parametrize(
        ("hour", "minute", "duration", "ok"),
        [(9, 0, 30, True), (16, 30, 30, True), (8, 45, 30, False), (16, 45, 30, False), (12, 0, 480, False)],
    )
    def test_visit_must_fit_inside_the_hours(self, world, api, hour, minute, duration, ok):
        monday = future_weekday(0)
        give_hours(world.doctor, 0, "09:00", "17:00")
        payload = booking(world, at(monday, hour, minute), duration_minutes=duration)
        response = api(world.staff).post(URL, payload, format="json")
        assert response.status_code == (201 if ok else 400)
        if not ok:
            assert response.json()["code"] == "outside_working_hours"
        assert Appointment.objects.count() == int(ok)

    def test_day_without_hours_is_refused(self, world, api):
        give_hours(world.doctor, 0)
        response = api(world.staff).post(URL, booking(world, at(future_weekday(1), 10)), format="json")
        assert response.status_code == 400
        assert response.json()["code"] == "outside_working_hours"

    def test_visit_spanning_two_blocks_is_refused(self, world, api):
        give_hours(world.doctor, 0, "09:00", "12:00")
        give_hours(world.doctor, 0, "13:00", "17:00")
        monday = future_weekday(0)
        refused = api(world.staff).post(
            URL, booking(world, at(monday, 11, 30), duration_minutes=120), format="json"
        )
        inside = api(world.staff).post(URL, booking(world, at(monday, 13)), format="json")
        assert refused.status_code == 400
        assert refused.json()["code"] == "outside_working_hours"
        assert inside.status_code == 201

    def test_time_off_is_refused(self, world, api):
        monday = future_weekday(0)
        give_hours(world.doctor, 0)
        TimeOff.objects.create(doctor=world.doctor, starts_at=at(monday, 12), ends_at=at(monday, 14))
        response = api(world.staff).post(URL, booking(world, at(monday, 13, 45)), format="json")
        assert response.status_code == 400
        assert response.json()["code"] == "outside_working_hours"
        assert not Appointment.objects.exists()

    def test_time_off_is_refused_even_without_working_hours(self, world, api):
        start = next_slot()
        TimeOff.objects.create(doctor=world.doctor, starts_at=start, ends_at=start + timedelta(hours=8))
        response = api(world.staff).post(URL, booking(world, start), format="json")
        assert response.status_code == 400
        assert response.json()["code"] == "outside_working_hours"

    def test_doctor_without_hours_is_bookable_any_time(self, world, api):
        response = api(world.staff).post(URL, booking(world, next_slot(hour=3)), format="json")
        assert response.status_code == 201

    @pytest.mark.parametrize(("hour", "ok"), [(9, True), (8, False)])
    def test_hours_are_local_time_across_dst(self, world, api, settings, hour, ok):
        """Berlin is UTC+1 in winter and UTC+2 in summer: 09:00 local is 08:00 or 07:00 UTC."""
        settings.TIME_ZONE = "Europe/Berlin"
        give_hours(world.doctor, 0, "09:00", "17:00")
        results = []
        for monday in _mondays_in_winter_and_summer():
            payload = booking(world, at(monday, hour), client=world.client.pk)
            results.append(api(world.staff).post(URL, payload, format="json").status_code)
        assert results == ([201, 201] if ok else [400, 400])


def _mondays_in_winter_and_summer():
    year = timezone.now().year + 1
    return [_monday_on_or_after(date(year, 1, 5)), _monday_on_or_after(date(year, 7, 6))]


def _monday_on_or_after(day):
    return day + timedelta(days=(0 - day.weekday()) % 7)


def test_staff_may_book_for_any_client_and_doctor(world, api):
    response = api(StaffFactory()).post(
        URL,
        booking(world, next_slot(), client=world.other_client.pk, doctor=world.other_doctor.pk),
        format="json",
    )
    assert response.status_code == 201
    assert Appointment.objects.get().client == world.other_client
