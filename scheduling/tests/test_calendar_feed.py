"""The private subscription URL `/calendar/<token>.ics`: whose appointments it
carries, what `?doctor=` does there, and what revokes it."""

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from icalendar import Calendar

from accounts.tests.factories import PASSWORD, DoctorFactory
from scheduling.models import CalendarFeed
from scheduling.tests.factories import AppointmentFactory, next_slot

pytestmark = pytest.mark.django_db
FEED = "/api/v1/calendar/feed"
NEW_PASSWORD = "an0ther-Correct-horse!"


def feed_path(api, user) -> str:
    response = api(user).get(FEED)
    assert response.status_code == 200
    return response.json()["url"].removeprefix("http://testserver")


def summaries(response) -> list[str]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return sorted(str(event["SUMMARY"]) for event in Calendar.from_ical(response.content).walk("VEVENT"))


@pytest.fixture
def visits(world):
    # Doctors' names appear in staff feeds: fixed ones, so a generated "Adam"
    # cannot look like the client's "Ada" leaking.
    world.doctor.full_name, world.other_doctor.full_name = "Dr Quinn", "Dr Zhivago"
    world.doctor.save()
    world.other_doctor.save()
    world.client.first_name, world.client.last_name = "Ada", "Lovelace"
    world.client.save()
    world.other_client.first_name, world.other_client.last_name = "Alan", "Turing"
    world.other_client.save()
    AppointmentFactory(
        doctor=world.doctor,
        client=world.client,
        starts_at=next_slot(days=2),
        reason="Chest pain",
        notes="Secret",
    )
    AppointmentFactory(doctor=world.other_doctor, client=world.other_client, starts_at=next_slot(days=3))
    AppointmentFactory(
        doctor=world.other_doctor, client=world.client, starts_at=next_slot(days=4), status="cancelled"
    )


class TestStaffFeed:
    @pytest.mark.parametrize("role", ["staff", "admin"])
    def test_carries_every_doctors_appointments_named_by_doctor(self, world, api, client, visits, role):
        response = client.get(feed_path(api, world.user(role)))
        assert summaries(response) == sorted(
            [
                f"{world.doctor.full_name}: Appointment A.L. (scheduled)",
                f"{world.other_doctor.full_name}: Appointment A.T. (scheduled)",
            ]
        )
        for phi in (b"Ada", b"Lovelace", b"Alan", b"Turing", b"Chest pain", b"Secret"):
            assert phi not in response.content

    def test_doctor_narrows_to_one_doctor(self, world, api, client, visits):
        response = client.get(feed_path(api, world.staff), {"doctor": world.other_doctor.pk})
        assert summaries(response) == [f"{world.other_doctor.full_name}: Appointment A.T. (scheduled)"]

    @pytest.mark.parametrize(
        "doctor", ["x", "-1", " 1", "1.0", "²", "", "patient", "staff", "inactive", "missing"]
    )
    def test_doctor_that_is_no_active_doctor_is_404(self, world, api, client, visits, doctor):
        ids = {
            "patient": world.patient.pk,
            "staff": world.staff.pk,
            "inactive": DoctorFactory(is_active=False).pk,
            "missing": 10**30,
        }
        response = client.get(feed_path(api, world.staff), {"doctor": ids.get(doctor, doctor)})
        assert response.status_code == 404
        assert b"BEGIN:VCALENDAR" not in response.content


def test_doctor_feed_narrows_only_to_themselves(world, api, client, visits):
    path = feed_path(api, world.doctor)
    assert summaries(client.get(path)) == ["Appointment A.L. (scheduled)"]
    assert summaries(client.get(path, {"doctor": world.doctor.pk})) == ["Appointment A.L. (scheduled)"]
    for doctor in (world.other_doctor.pk, "x"):
        response = client.get(path, {"doctor": doctor})
        assert response.status_code == 404
        assert b"BEGIN:VCALENDAR" not in response.content


class TestRevocation:
    """A password change or reset and a deactivation revoke the feed as they
    revoke every token: the old URL is 404, the feed endpoint hands out a new one."""

    def assert_replaced(self, api, client, user, old):
        assert client.get(old).status_code == 404
        user.refresh_from_db()
        new = feed_path(api, user)
        assert new != old
        assert client.get(new).status_code == 200
        assert client.get(old).status_code == 404
        assert feed_path(api, user) == new
        assert CalendarFeed.objects.filter(user=user).count() == 1

    def test_password_change(self, world, api, client):
        old = feed_path(api, world.doctor)
        refused = {"old_password": "wrong", "new_password": NEW_PASSWORD}
        assert api(world.doctor).post("/api/v1/auth/password/change", refused).status_code == 400
        assert client.get(old).status_code == 200
        body = {"old_password": PASSWORD, "new_password": NEW_PASSWORD}
        assert api(world.doctor).post("/api/v1/auth/password/change", body).status_code == 204
        self.assert_replaced(api, client, world.doctor, old)

    def test_password_reset_confirm(self, world, api, client):
        old = feed_path(api, world.patient)
        body = {
            "uid": urlsafe_base64_encode(force_bytes(world.patient.pk)),
            "token": default_token_generator.make_token(world.patient),
            "new_password": NEW_PASSWORD,
        }
        assert api().post("/api/v1/auth/password/reset/confirm", body).status_code == 204
        self.assert_replaced(api, client, world.patient, old)

    def test_deactivation_outlives_reactivation(self, world, api, client):
        old = feed_path(api, world.staff)
        assert api(world.admin).delete(f"/api/v1/users/{world.staff.pk}").status_code == 204
        assert client.get(old).status_code == 404
        response = api(world.admin).patch(f"/api/v1/users/{world.staff.pk}", {"is_active": True})
        assert response.status_code == 200
        self.assert_replaced(api, client, world.staff, old)
