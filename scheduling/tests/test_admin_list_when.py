"""The appointment list opens on today and the days ahead, in time order."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from scheduling.admin_filters import day_start
from scheduling.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def visits(world):
    noon = day_start(timezone.localdate()) + timedelta(hours=12)
    days = {"yesterday": -1, "today": 0, "tomorrow": 1, "in_5_days": 5, "in_20_days": 20}
    return {
        name: AppointmentFactory(
            doctor=world.doctor, client=world.client, starts_at=noon + timedelta(days=offset)
        )
        for name, offset in days.items()
    }


def listed(browser, query: str = "") -> list[int]:
    page = browser.get(f"/admin/scheduling/appointment/{query}").content.decode()
    return [int(pk) for pk in re.findall(r'href="/admin/scheduling/appointment/(\d+)/change/', page)]


def ids(visits, *names):
    return [visits[name].pk for name in names]


def test_the_list_opens_from_today_on_in_time_order(world, admin_as, visits):
    assert listed(admin_as(world.staff)) == ids(visits, "today", "tomorrow", "in_5_days", "in_20_days")


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ("today", ["today"]),
        ("tomorrow", ["tomorrow"]),
        ("week", ["today", "tomorrow", "in_5_days"]),
        ("past", ["yesterday"]),
        ("all", ["in_20_days", "in_5_days", "tomorrow", "today", "yesterday"]),
    ],
)
def test_today_tomorrow_and_next_7_days_are_one_click(world, admin_as, visits, when, expected):
    assert listed(admin_as(world.staff), f"?when={when}") == ids(visits, *expected)
