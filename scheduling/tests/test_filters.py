"""List filters, day boundaries in TIME_ZONE, and ordering."""

from datetime import datetime, timedelta

import pytest

from scheduling.tests.factories import AppointmentFactory
from scheduling.tests.helpers import at, future_weekday

pytestmark = pytest.mark.django_db
URL = "/api/v1/appointments/"


def ids(response):
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def test_list_is_ordered_by_starts_at(world, api):
    day = future_weekday(2)
    late = AppointmentFactory(doctor=world.doctor, client=world.client, starts_at=at(day, 15))
    early = AppointmentFactory(doctor=world.doctor, client=world.client, starts_at=at(day, 9))
    assert ids(api(world.staff).get(URL)) == [early.pk, late.pk]


def test_filters_by_doctor_client_and_status(world, api):
    day = future_weekday(2)
    mine = AppointmentFactory(doctor=world.doctor, client=world.client, starts_at=at(day, 9))
    theirs = AppointmentFactory(
        doctor=world.other_doctor, client=world.other_client, starts_at=at(day, 9), status="confirmed"
    )
    staff = api(world.staff)
    assert ids(staff.get(URL, {"doctor": world.doctor.pk})) == [mine.pk]
    assert ids(staff.get(URL, {"client": world.other_client.pk})) == [theirs.pk]
    assert ids(staff.get(URL, {"status": "confirmed"})) == [theirs.pk]


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Asia/Tokyo"])
def test_bare_dates_are_whole_local_days_both_ends_included(world, api, settings, zone):
    settings.TIME_ZONE = zone
    day = future_weekday(2)
    before = AppointmentFactory(
        doctor=world.doctor, client=world.client, starts_at=at(day, 0) - timedelta(minutes=30)
    )
    first = AppointmentFactory(doctor=world.doctor, client=world.client, starts_at=at(day, 0))
    last = AppointmentFactory(doctor=world.doctor, client=world.client, starts_at=at(day, 23, 30))
    after = AppointmentFactory(
        doctor=world.doctor, client=world.client, starts_at=at(day + timedelta(days=1), 0)
    )
    staff = api(world.staff)
    same_day = {"date_from": day.isoformat(), "date_to": day.isoformat()}
    assert ids(staff.get(URL, same_day)) == [first.pk, last.pk]
    assert ids(staff.get(URL, {"date_to": day.isoformat()})) == [before.pk, first.pk, last.pk]
    assert ids(staff.get(URL, {"date_from": (day + timedelta(days=1)).isoformat()})) == [after.pk]


def test_datetimes_filter_to_the_instant(world, api):
    day = future_weekday(2)
    nine = AppointmentFactory(doctor=world.doctor, client=world.client, starts_at=at(day, 9))
    ten = AppointmentFactory(doctor=world.doctor, client=world.client, starts_at=at(day, 10))
    staff = api(world.staff)
    assert ids(staff.get(URL, {"date_from": at(day, 9, 30).isoformat()})) == [ten.pk]
    assert ids(staff.get(URL, {"date_to": at(day, 9).isoformat()})) == [nine.pk]
    naive = datetime.combine(day, at(day, 10).timetz()).replace(tzinfo=None).isoformat()
    assert ids(staff.get(URL, {"date_from": naive})) == [ten.pk]


@pytest.mark.parametrize("param", ["date_from", "date_to"])
def test_garbage_dates_are_400(world, api, param):
    response = api(world.staff).get(URL, {param: "next tuesday"})
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert param in response.json()["errors"]


def test_filters_never_widen_a_patients_scope(world, api):
    day = future_weekday(2)
    AppointmentFactory(doctor=world.other_doctor, client=world.other_client, starts_at=at(day, 9))
    assert ids(api(world.patient).get(URL, {"client": world.other_client.pk})) == []
