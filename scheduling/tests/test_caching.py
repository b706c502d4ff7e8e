"""Cached list pages and availability: fresh after every write, encrypted,
and harmless when Redis is gone; list query counts do not grow with the page."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_redis import get_redis_connection

from scheduling.models import Appointment
from scheduling.tests.factories import AppointmentFactory, next_slot
from scheduling.tests.helpers import at, booking, future_weekday, give_hours

# Versions are bumped after commit: tests of invalidation commit for real.
committing = pytest.mark.django_db(transaction=True)
pytestmark = pytest.mark.django_db
URL = "/api/v1/appointments/"


def listed(api, user, **params):
    response = api(user).get(URL, params)
    assert response.status_code == 200
    return [row["id"] for row in response.json()["results"]]


@pytest.mark.parametrize("role", ["staff", "doctor", "patient"])
@committing
def test_every_kind_of_write_shows_in_the_next_list(world, api, role):
    user = world.user(role)
    assert listed(api, user) == []
    created = api(world.staff).post(URL, booking(world, next_slot()), format="json").json()
    assert listed(api, user) == [created["id"]]
    api(world.staff).patch(f"{URL}{created['id']}", {"reason": "Updated"}, format="json")
    assert api(world.user(role)).get(URL).json()["results"][0]["reason"] == "Updated"
    api(world.staff).post(f"{URL}{created['id']}/confirm")
    assert api(world.user(role)).get(URL).json()["results"][0]["status"] == "confirmed"
    api(world.admin).delete(f"{URL}{created['id']}")
    assert listed(api, user) == []


def test_list_pages_are_cached_and_encrypted(world, api):
    AppointmentFactory(doctor=world.doctor, client=world.client, reason="Chest pain", notes="Private note")
    listed(api, world.staff)
    redis = get_redis_connection("default")
    keys = redis.keys("*sched:list*")
    assert keys
    for key in keys:
        assert b"Chest" not in key
        assert b"Chest pain" not in redis.get(key)
        assert b"Private note" not in redis.get(key)
    # Served from the cache: a row changed behind the services' back stays hidden until the next write.
    Appointment.objects.update(reason="Changed behind the cache")
    assert api(world.staff).get(URL).json()["results"][0]["reason"] == "Chest pain"


@committing
def test_availability_drops_a_booked_slot_at_once(world, api):
    monday = future_weekday(0)
    give_hours(world.doctor, 0, "09:00", "10:00")
    url = f"/api/v1/doctors/{world.doctor.pk}/availability"
    assert len(api(world.patient).get(url, {"date": monday.isoformat()}).json()["slots"]) == 2
    api(world.staff).post(URL, booking(world, at(monday, 9)), format="json")
    assert len(api(world.patient).get(url, {"date": monday.isoformat()}).json()["slots"]) == 1
    hours = [{"weekday": 0, "start": "09:00", "end": "11:00"}]
    api(world.doctor).put(f"/api/v1/doctors/{world.doctor.pk}/working-hours", hours, format="json")
    assert len(api(world.patient).get(url, {"date": monday.isoformat()}).json()["slots"]) == 3
    api(world.doctor).post(
        f"/api/v1/doctors/{world.doctor.pk}/time-off",
        {"starts_at": at(monday, 10).isoformat(), "ends_at": at(monday, 11).isoformat()}, format="json",
    )  # fmt: skip
    assert len(api(world.patient).get(url, {"date": monday.isoformat()}).json()["slots"]) == 1


@committing
def test_rescheduling_to_another_doctor_frees_the_old_doctors_slot(world, api):
    monday = future_weekday(0)
    give_hours(world.doctor, 0, "09:00", "09:30")
    give_hours(world.other_doctor, 0, "09:00", "09:30")
    created = api(world.staff).post(URL, booking(world, at(monday, 9)), format="json").json()
    url = f"/api/v1/doctors/{world.doctor.pk}/availability"
    assert api(world.staff).get(url, {"date": monday.isoformat()}).json()["slots"] == []
    api(world.staff).patch(f"{URL}{created['id']}", {"doctor": world.other_doctor.pk}, format="json")
    assert len(api(world.staff).get(url, {"date": monday.isoformat()}).json()["slots"]) == 1


@committing
def test_redis_down_means_uncached_not_an_error(world, api, redis_unreachable):
    monday = future_weekday(0)
    give_hours(world.doctor, 0, "09:00", "10:00")
    created = api(world.staff).post(URL, booking(world, at(monday, 9)), format="json")
    assert created.status_code == 201
    assert listed(api, world.staff) == [created.json()["id"]]
    response = api(world.staff).get(
        f"/api/v1/doctors/{world.doctor.pk}/availability", {"date": monday.isoformat()}
    )
    assert response.status_code == 200
    assert len(response.json()["slots"]) == 1
    assert api(world.staff).post(f"{URL}{created.json()['id']}/cancel").status_code == 200


@pytest.mark.parametrize("role", ["staff", "doctor", "patient"])
def test_list_query_count_does_not_grow_with_the_page(world, api, role):
    def count_queries(rows, offset):
        for i in range(rows):
            AppointmentFactory(doctor=world.doctor, client=world.client, starts_at=next_slot(days=offset + i))
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = api(world.user(role)).get(URL, {"limit": 100, "date_from": "2000-01-01"})
        assert response.status_code == 200
        Appointment.objects.all().delete()
        return len(queries)

    small, large = count_queries(3, 1), count_queries(30, 40)
    assert small == large
    assert large <= 3


def test_a_cached_page_costs_no_query(world, api, django_assert_num_queries):
    AppointmentFactory(doctor=world.doctor, client=world.client, starts_at=next_slot() + timedelta(hours=1))
    listed(api, world.staff)
    with django_assert_num_queries(0):
        listed(api, world.staff)
