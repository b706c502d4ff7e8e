"""Lengths are real time across a daylight-saving change (Europe/Berlin,
2030): availability's slots last their minutes and the repeated hour's are
offered twice, and a visit's end and held time are its minutes after its
start, however the start's time zone was given. Python adds to and compares
datetimes of one zone by their wall clocks: selectors.local_moment and
Appointment.save work in UTC instead."""

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from scheduling.models import Appointment, WorkingHours
from scheduling.tests.factories import AppointmentTypeFactory

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")
SPRING_FORWARD, FALL_BACK = date(2030, 3, 31), date(2030, 10, 27)


@pytest.fixture(autouse=True)
def _berlin(settings):
    settings.TIME_ZONE = "Europe/Berlin"


def slots(api, world, day) -> list[tuple[datetime, datetime]]:
    WorkingHours.objects.create(doctor=world.doctor, weekday=day.weekday(), start=time(0), end=time(6))
    response = api(world.staff).get(
        f"/api/v1/doctors/{world.doctor.pk}/availability", {"date": day.isoformat()}
    )
    assert response.status_code == 200, response.json()
    return [
        (datetime.fromisoformat(slot["starts_at"]), datetime.fromisoformat(slot["ends_at"]))
        for slot in response.json()["slots"]
    ]


@pytest.mark.parametrize(("day", "hours"), [(SPRING_FORWARD, 5), (FALL_BACK, 7)])
def test_a_night_shift_across_the_change_offers_its_real_half_hours(world, api, day, hours):
    offered = slots(api, world, day)
    assert len(offered) == hours * 2
    assert all(end - start == timedelta(minutes=30) for start, end in offered)
    assert all(b[0] - a[0] == timedelta(minutes=30) for a, b in pairwise(offered))
    shown = [f"{start.astimezone(BERLIN):%H:%M%z}" for start, _ in offered]
    if day == FALL_BACK:
        assert shown[4:8] == ["02:00+0200", "02:30+0200", "02:00+0100", "02:30+0100"]
    else:
        assert shown[3:5] == ["01:30+0100", "03:00+0200"]  # 02:00-02:59 does not exist


def test_a_visit_across_the_change_ends_its_minutes_later(world):
    start = datetime(2030, 10, 27, 1, 30, tzinfo=BERLIN)  # summer time, as a form or DRF hands it over
    visit_type = AppointmentTypeFactory(buffer_before_minutes=10, buffer_after_minutes=20)
    visit = Appointment.objects.create(
        client=world.client, doctor=world.doctor, starts_at=start, duration_minutes=120,
        appointment_type=visit_type, buffer_before_minutes=10, buffer_after_minutes=20,
    )  # fmt: skip
    visit.refresh_from_db()
    assert visit.ends_at == datetime(2030, 10, 27, 1, 30, tzinfo=UTC)  # 02:30 winter time
    assert visit.blocked_until == datetime(2030, 10, 27, 1, 50, tzinfo=UTC)
    assert visit.held_range == (datetime(2030, 10, 26, 23, 20, tzinfo=UTC), visit.blocked_until)


def test_an_api_booking_across_the_change_holds_its_real_length(world, api):
    WorkingHours.objects.create(doctor=world.doctor, weekday=FALL_BACK.weekday(), start=time(0), end=time(6))
    body = {"client": world.client.pk, "doctor": world.doctor.pk, "starts_at": "2030-10-27T01:30:00+02:00",
            "duration_minutes": 120}  # fmt: skip
    response = api(world.staff).post("/api/v1/appointments/", body, format="json")
    assert response.status_code == 201, response.json()
    assert datetime.fromisoformat(response.json()["ends_at"]) == datetime(2030, 10, 27, 1, 30, tzinfo=UTC)
