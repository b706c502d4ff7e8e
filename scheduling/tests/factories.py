from datetime import timedelta

import factory
from django.utils import timezone

from accounts.tests.factories import DoctorFactory
from clinic.tests.factories import ClientFactory
from scheduling.models import Appointment, AppointmentType, Room


def next_slot(days: int = 1, hour: int = 10) -> "timezone.datetime":
    """A whole hour `days` from now, in UTC."""
    day = timezone.now() + timedelta(days=days)
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


class AppointmentTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AppointmentType

    name = factory.Sequence(lambda n: f"Visit type {n}")
    duration_minutes = 30


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    name = factory.Sequence(lambda n: f"Room {n}")


class AppointmentFactory(factory.django.DjangoModelFactory):
    """Written straight to the table, as booking would leave it: a type's
    buffers are copied onto the visit."""

    class Meta:
        model = Appointment

    client = factory.SubFactory(ClientFactory)
    doctor = factory.SubFactory(DoctorFactory)
    starts_at = factory.Sequence(lambda n: next_slot(days=1 + n))
    duration_minutes = 30
    reason = "Check-up"
    appointment_type = None
    room = None
    buffer_before_minutes = factory.LazyAttribute(
        lambda visit: visit.appointment_type.buffer_before_minutes if visit.appointment_type else 0
    )
    buffer_after_minutes = factory.LazyAttribute(
        lambda visit: visit.appointment_type.buffer_after_minutes if visit.appointment_type else 0
    )
