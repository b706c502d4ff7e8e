"""The database itself refuses double bookings, whatever the code above it does."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from scheduling.models import Status
from scheduling.tests.factories import AppointmentFactory, next_slot

pytestmark = pytest.mark.django_db


def test_overlapping_visit_with_the_same_doctor_is_refused(world):
    start = next_slot()
    AppointmentFactory(doctor=world.doctor, client=world.client, starts_at=start)
    with pytest.raises(IntegrityError, match="appointment_no_doctor_overlap"), transaction.atomic():
        AppointmentFactory(
            doctor=world.doctor, client=world.other_client, starts_at=start + timedelta(minutes=15)
        )


def test_overlapping_visit_of_the_same_client_is_refused(world):
    start = next_slot()
    AppointmentFactory(doctor=world.doctor, client=world.client, starts_at=start)
    with pytest.raises(IntegrityError, match="appointment_no_client_overlap"), transaction.atomic():
        AppointmentFactory(doctor=world.other_doctor, client=world.client, starts_at=start)


def test_back_to_back_visits_do_not_overlap(world):
    start = next_slot()
    AppointmentFactory(doctor=world.doctor, client=world.client, starts_at=start)
    later = AppointmentFactory(
        doctor=world.doctor, client=world.client, starts_at=start + timedelta(minutes=30)
    )
    assert later.ends_at == start + timedelta(minutes=60)


@pytest.mark.parametrize("status", [Status.CANCELLED, Status.NO_SHOW])
def test_cancelled_and_no_show_visits_free_the_slot(world, status):
    start = next_slot()
    AppointmentFactory(doctor=world.doctor, client=world.client, starts_at=start, status=status)
    AppointmentFactory(doctor=world.doctor, client=world.client, starts_at=start)


@pytest.mark.parametrize("minutes", [4, 481])
def test_duration_outside_5_to_480_is_refused(world, minutes):
    with pytest.raises(IntegrityError, match="appointment_duration_5_to_480"), transaction.atomic():
        AppointmentFactory(doctor=world.doctor, client=world.client, duration_minutes=minutes)
