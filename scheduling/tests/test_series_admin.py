"""The appointment page's "Cancel this and following" for a visit of a series."""

import pytest

from scheduling.models import Appointment, Status
from scheduling.series.services import create_series
from scheduling.tests.factories import AppointmentFactory, next_slot

pytestmark = pytest.mark.django_db


def page_of(browser, visit) -> str:
    return browser.get(f"/admin/scheduling/appointment/{visit.pk}/change/").content.decode()


def cancel_following_url(visit) -> str:
    return f"/admin/scheduling/appointment/{visit.pk}/series/cancel-following/"


@pytest.fixture
def visits(world):
    series = create_series(
        client=world.client, doctor=world.doctor, starts_at=next_slot(days=3),
        rrule="FREQ=WEEKLY;COUNT=4", created_by=world.staff,
    )  # fmt: skip
    return list(series.appointments.order_by("starts_at"))


def test_a_visit_of_a_series_offers_cancel_this_and_following(world, admin_as, visits):
    desk = admin_as(world.staff)
    assert 'id="series-cancel-following"' in page_of(desk, visits[1])
    alone = AppointmentFactory(doctor=world.doctor, client=world.client, starts_at=next_slot(days=40))
    assert 'id="series-cancel-following"' not in page_of(desk, alone)


def test_cancel_this_and_following_leaves_the_earlier_visits(world, admin_as, visits):
    response = admin_as(world.staff).post(cancel_following_url(visits[1]))
    assert response.status_code == 302
    assert response["Location"] == f"/admin/scheduling/appointment/{visits[1].pk}/change/"
    statuses = [Appointment.objects.get(pk=visit.pk).status for visit in visits]
    assert statuses == [Status.SCHEDULED, Status.CANCELLED, Status.CANCELLED, Status.CANCELLED]
    assert 'id="series-cancel-following"' not in page_of(admin_as(world.staff), visits[1])


def test_only_a_post_from_someone_who_may_change_the_visit_cancels(world, admin_as, visits):
    assert admin_as(world.staff).get(cancel_following_url(visits[0])).status_code == 405
    assert admin_as(world.other_doctor).post(cancel_following_url(visits[0])).status_code == 404  # not theirs
    alone = AppointmentFactory(doctor=world.doctor, client=world.client, starts_at=next_slot(days=40))
    assert admin_as(world.staff).post(cancel_following_url(alone)).status_code == 404
    assert not Appointment.objects.filter(status=Status.CANCELLED).exists()
