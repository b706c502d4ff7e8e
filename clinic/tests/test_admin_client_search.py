"""The front desk finds a patient in the admin by date of birth or a name off
by a typo, and tells namesakes apart by date of birth and phone."""

import re
from datetime import date

import pytest

from clinic.tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def namesakes(world):
    return [
        ClientFactory(
            first_name="Chloe", last_name="Rossi", date_of_birth=date(1990, 2, 3), phone="+15550001"
        ),
        ClientFactory(
            first_name="Chloe", last_name="Rossi", date_of_birth=date(1972, 9, 30), phone="+15550002"
        ),
    ]


def found(browser, term: str) -> set[int]:
    page = browser.get("/admin/clinic/client/", {"q": term}).content.decode()
    return {int(pk) for pk in re.findall(r'href="/admin/clinic/client/(\d+)/change/', page)}


@pytest.mark.parametrize("term", ["1990-02-03", "03.02.1990", "03/02/1990"])
def test_search_finds_a_date_of_birth(world, admin_as, namesakes, term):
    assert found(admin_as(world.staff), term) == {namesakes[0].pk}


def test_search_tolerates_a_typo_in_the_name(world, admin_as, namesakes):
    assert found(admin_as(world.staff), "Rosi") == {namesakes[0].pk, namesakes[1].pk}
    assert found(admin_as(world.staff), "Rossy") == {namesakes[0].pk, namesakes[1].pk}


def test_namesakes_are_told_apart_and_active_records_carry_no_red_mark(world, admin_as, namesakes):
    page = admin_as(world.staff).get("/admin/clinic/client/", {"q": "Rossi"}).content.decode()
    assert "Feb. 3, 1990" in page and "Sept. 30, 1972" in page
    assert "+15550001" in page and "+15550002" in page
    assert "icon-no.svg" not in page
