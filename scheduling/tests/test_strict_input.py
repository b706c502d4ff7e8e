"""Strict input on scheduling: working hours are `HH:MM` wall-clock times,
id filters are positive integers, availability's date is `YYYY-MM-DD`."""

from datetime import date, time

import pytest

from scheduling.models import WorkingHours
from scheduling.tests.factories import AppointmentFactory
from scheduling.tests.helpers import at, future_weekday, give_hours

pytestmark = pytest.mark.django_db

NOT_WALL_CLOCK = [
    "08:00:00", "8:00", "08:00Z", "08:00+05:00", "08:00:00+05:00", "24:00", "08:60", "0800",
    "08:00\n", " 08:00", "\uff10\uff18:\uff10\uff10", "", 800, None,
]  # fmt: skip
NOT_IDS = ["1.9", "1.5", "0", "-1", "01", "+1", "1e0", " 1", "2147483648", "99999999999999999999", "\u0661"]


def hours_url(world) -> str:
    return f"/api/v1/doctors/{world.doctor.pk}/working-hours"


@pytest.mark.parametrize("value", NOT_WALL_CLOCK)
@pytest.mark.parametrize("field", ["start", "end"])
def test_working_hours_other_than_hh_mm_are_400_and_change_nothing(world, api, field, value):
    give_hours(world.doctor, 4, "09:00", "17:00")
    body = [{"weekday": 0, "start": "08:00", "end": "18:00", field: value}]
    response = api(world.staff).put(hours_url(world), body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert list(WorkingHours.objects.values_list("weekday", "start", "end")) == [(4, time(9), time(17))]


def test_offsets_are_refused_not_dropped(world, api):
    body = [{"weekday": 0, "start": "08:00:00+05:00", "end": "18:00:00Z"}]
    response = api(world.staff).put(hours_url(world), body, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]["0"][0]) == {"start", "end"}  # the first block
    assert not WorkingHours.objects.exists()


def test_hh_mm_from_midnight_to_23_59_is_stored_and_answered_alike(world, api):
    body = [{"weekday": 0, "start": "00:00", "end": "23:59"}]
    response = api(world.staff).put(hours_url(world), body, format="json")
    assert response.status_code == 200
    assert response.json() == body
    assert list(WorkingHours.objects.values_list("start", "end")) == [(time(0), time(23, 59))]


@pytest.mark.parametrize("value", NOT_IDS)
@pytest.mark.parametrize("name", ["client", "doctor"])
def test_appointment_id_filters_take_only_positive_integers(world, api, name, value):
    AppointmentFactory(doctor=world.doctor, client=world.client, starts_at=at(future_weekday(2), 9))
    response = api(world.staff).get("/api/v1/appointments/", {name: value})
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert list(response.json()["errors"]) == [name]


def test_largest_id_is_a_filter_that_matches_nothing(world, api):
    AppointmentFactory(doctor=world.doctor, client=world.client, starts_at=at(future_weekday(2), 9))
    response = api(world.staff).get("/api/v1/appointments/", {"client": "2147483647"})
    assert response.status_code == 200
    assert response.json()["count"] == 0


@pytest.mark.parametrize("value", NOT_IDS)
def test_calendar_doctor_takes_only_positive_integers(world, api, value):
    response = api(world.staff).get("/api/v1/appointments/calendar.ics", {"doctor": value})
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert list(response.json()["errors"]) == ["doctor"]


@pytest.mark.parametrize("value", ["20300107", "2030-W02-1", "2030-1-7", "2030-01-07T00:00", " 2030-01-07"])
def test_availability_date_is_yyyy_mm_dd_only(world, api, value):
    response = api(world.staff).get(f"/api/v1/doctors/{world.doctor.pk}/availability", {"date": value})
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert list(response.json()["errors"]) == ["date"]


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
@pytest.mark.parametrize("zone", ["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_availability_at_the_ends_of_the_calendar_is_400_not_500(world, api, settings, value, zone):
    settings.TIME_ZONE = zone
    give_hours(world.doctor, date.fromisoformat(value).weekday(), "00:00", "23:59")
    response = api(world.staff).get(f"/api/v1/doctors/{world.doctor.pk}/availability", {"date": value})
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert list(response.json()["errors"]) == ["date"]


@pytest.mark.parametrize("value", ["0001-01-02", "9999-12-30"])
@pytest.mark.parametrize("zone", ["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_availability_just_inside_the_calendar_answers(world, api, settings, value, zone):
    settings.TIME_ZONE = zone
    give_hours(world.doctor, date.fromisoformat(value).weekday(), "00:00", "23:59")
    response = api(world.staff).get(f"/api/v1/doctors/{world.doctor.pk}/availability", {"date": value})
    assert response.status_code == 200
    assert response.json()["date"] == value
