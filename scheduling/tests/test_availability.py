"""Availability, working hours and time off under /api/v1/doctors/{id}/."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from scheduling.models import TimeOff, WorkingHours
from scheduling.tests.factories import AppointmentFactory
from scheduling.tests.helpers import at, future_weekday, give_hours

pytestmark = pytest.mark.django_db
ALL_ROLES = ["admin", "staff", "doctor", "other_doctor", "patient", "other_patient"]


def availability(api, user, doctor, day, duration=None):
    params = {"date": day.isoformat()} | ({"duration": duration} if duration else {})
    return api(user).get(f"/api/v1/doctors/{doctor.pk}/availability", params)


def starts(response):
    assert response.status_code == 200, response.json()
    return [datetime.fromisoformat(slot["starts_at"]) for slot in response.json()["slots"]]


class TestAvailability:
    @pytest.mark.parametrize("role", ALL_ROLES)
    def test_anyone_signed_in_sees_free_slots(self, world, api, role):
        monday = future_weekday(0)
        give_hours(world.doctor, 0, "09:00", "11:00")
        response = availability(api, world.user(role), world.doctor, monday)
        assert response.json()["doctor"] == world.doctor.pk
        assert response.json()["date"] == monday.isoformat()
        assert starts(response) == [at(monday, h, m) for h, m in [(9, 0), (9, 30), (10, 0), (10, 30)]]
        assert datetime.fromisoformat(response.json()["slots"][0]["ends_at"]) == at(monday, 9, 30)

    def test_anonymous_is_refused(self, world, api):
        assert availability(api, None, world.doctor, future_weekday(0)).status_code == 401

    def test_booked_slots_and_time_off_are_not_free(self, world, api):
        monday = future_weekday(0)
        give_hours(world.doctor, 0, "09:00", "12:00")
        AppointmentFactory(doctor=world.doctor, client=world.client, starts_at=at(monday, 9, 15))
        AppointmentFactory(
            doctor=world.doctor, client=world.client, starts_at=at(monday, 11), status="cancelled"
        )
        TimeOff.objects.create(doctor=world.doctor, starts_at=at(monday, 10), ends_at=at(monday, 11))
        expected = [at(monday, h, m) for h, m in [(11, 0), (11, 30)]]
        assert starts(availability(api, world.staff, world.doctor, monday)) == expected

    def test_step_is_the_duration(self, world, api):
        monday = future_weekday(0)
        give_hours(world.doctor, 0, "09:00", "11:00")
        response = availability(api, world.staff, world.doctor, monday, duration=45)
        assert starts(response) == [at(monday, 9), at(monday, 9, 45)]

    def test_no_working_hours_means_no_slots(self, world, api):
        assert starts(availability(api, world.staff, world.doctor, future_weekday(0))) == []

    def test_past_slots_are_left_out(self, world, api):
        today = timezone.localdate()
        give_hours(world.doctor, today.weekday(), "00:00", "23:59")
        now = timezone.now()
        slots = starts(availability(api, world.staff, world.doctor, today, duration=5))
        assert all(start >= now for start in slots)
        assert starts(availability(api, world.staff, world.doctor, today - timedelta(days=7))) == []

    def test_slots_follow_local_hours_across_dst(self, world, api, settings):
        settings.TIME_ZONE = "America/New_York"
        year = timezone.now().year + 1
        winter, summer = _sunday(date(year, 1, 4)), _sunday(date(year, 7, 5))
        give_hours(world.doctor, 6, "09:00", "10:00")
        winter_slots = _raw(availability(api, world.staff, world.doctor, winter, duration=60))
        summer_slots = _raw(availability(api, world.staff, world.doctor, summer, duration=60))
        assert winter_slots == [f"{winter.isoformat()}T09:00:00-05:00"]
        assert summer_slots == [f"{summer.isoformat()}T09:00:00-04:00"]

    @pytest.mark.parametrize("params", [{}, {"date": "tomorrow"}, {"date": "2030-01-07", "duration": 4}])
    def test_bad_query_is_400(self, world, api, params):
        response = api(world.staff).get(f"/api/v1/doctors/{world.doctor.pk}/availability", params)
        assert response.status_code == 400
        assert response.json()["code"] == "validation_error"

    def test_not_a_doctor_is_404(self, world, api):
        response = availability(api, world.staff, world.patient, future_weekday(0))
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def _raw(response):
    return [slot["starts_at"] for slot in response.json()["slots"]]


def _sunday(day):
    return day + timedelta(days=(6 - day.weekday()) % 7)


WRITE_MATRIX = [("admin", 200), ("staff", 200), ("doctor", 200), ("other_doctor", 403), ("patient", 403)]


class TestWorkingHours:
    @pytest.mark.parametrize(("role", "status"), WRITE_MATRIX)
    def test_put_replaces_the_week(self, world, api, role, status):
        give_hours(world.doctor, 4)
        body = [
            {"weekday": 0, "start": "09:00", "end": "12:00"},
            {"weekday": 0, "start": "13:00", "end": "17:30"},
        ]
        url = f"/api/v1/doctors/{world.doctor.pk}/working-hours"
        response = api(world.user(role)).put(url, body, format="json")
        assert response.status_code == status
        rows = list(WorkingHours.objects.filter(doctor=world.doctor).values_list("weekday", flat=True))
        if status == 200:
            assert response.json() == body
            assert rows == [0, 0]
            assert api(world.user(role)).get(url.rstrip("/") + "/").json() == body
        else:
            assert response.json()["code"] == "permission_denied"
            assert rows == [4]

    @pytest.mark.parametrize(("role", "status"), WRITE_MATRIX)
    def test_get_is_for_the_same_people(self, world, api, role, status):
        give_hours(world.doctor, 2, "08:00", "12:00")
        response = api(world.user(role)).get(f"/api/v1/doctors/{world.doctor.pk}/working-hours/")
        assert response.status_code == status
        if status == 200:
            assert response.json() == [{"weekday": 2, "start": "08:00", "end": "12:00"}]

    @pytest.mark.parametrize(
        "body",
        [
            [{"weekday": 7, "start": "09:00", "end": "12:00"}],
            [{"weekday": 0, "start": "12:00", "end": "09:00"}],
            [
                {"weekday": 0, "start": "09:00", "end": "12:00"},
                {"weekday": 0, "start": "11:00", "end": "13:00"},
            ],
            {"weekday": 0, "start": "09:00", "end": "12:00"},
        ],
    )
    def test_invalid_hours_are_400_and_change_nothing(self, world, api, body):
        give_hours(world.doctor, 4)
        response = api(world.staff).put(
            f"/api/v1/doctors/{world.doctor.pk}/working-hours", body, format="json"
        )
        assert response.status_code == 400
        assert response.json()["code"] == "validation_error"
        assert list(WorkingHours.objects.values_list("weekday", flat=True)) == [4]

    def test_empty_list_clears_the_hours(self, world, api):
        give_hours(world.doctor, 4)
        response = api(world.doctor).put(
            f"/api/v1/doctors/{world.doctor.pk}/working-hours", [], format="json"
        )
        assert response.status_code == 200
        assert not WorkingHours.objects.exists()


class TestTimeOff:
    def url(self, world, suffix=""):
        return f"/api/v1/doctors/{world.doctor.pk}/time-off{suffix}"

    @pytest.mark.parametrize(("role", "status"), [(r, 201 if s == 200 else s) for r, s in WRITE_MATRIX])
    def test_post_adds_a_period(self, world, api, role, status):
        monday = future_weekday(0)
        body = {
            "starts_at": at(monday, 9).isoformat(),
            "ends_at": at(monday, 12).isoformat(),
            "reason": "Training",
        }
        response = api(world.user(role)).post(self.url(world), body, format="json")
        assert response.status_code == status
        assert TimeOff.objects.filter(doctor=world.doctor).count() == (1 if status == 201 else 0)
        if status == 201:
            assert response.json()["doctor"] == world.doctor.pk
            listing = api(world.user(role)).get(self.url(world))
            assert [row["id"] for row in listing.json()["results"]] == [response.json()["id"]]

    def test_end_before_start_is_400(self, world, api):
        monday = future_weekday(0)
        body = {"starts_at": at(monday, 12).isoformat(), "ends_at": at(monday, 9).isoformat()}
        response = api(world.staff).post(self.url(world), body, format="json")
        assert response.status_code == 400
        assert not TimeOff.objects.exists()

    @pytest.mark.parametrize(("role", "status"), [(r, 204 if s == 200 else s) for r, s in WRITE_MATRIX])
    def test_delete(self, world, api, role, status):
        monday = future_weekday(0)
        period = TimeOff.objects.create(doctor=world.doctor, starts_at=at(monday, 9), ends_at=at(monday, 10))
        response = api(world.user(role)).delete(self.url(world, f"/{period.pk}"))
        assert response.status_code == status
        assert TimeOff.objects.filter(pk=period.pk).exists() == (status != 204)

    def test_another_doctors_period_is_404_here(self, world, api):
        monday = future_weekday(0)
        period = TimeOff.objects.create(
            doctor=world.other_doctor, starts_at=at(monday, 9), ends_at=at(monday, 10)
        )
        response = api(world.staff).delete(self.url(world, f"/{period.pk}/"))
        assert response.status_code == 404
        assert TimeOff.objects.filter(pk=period.pk).exists()
