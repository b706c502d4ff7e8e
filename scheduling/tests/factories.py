from datetime import timedelta

import factory
from django.utils import timezone

from accounts.tests.factories import DoctorFactory
from clinic.tests.factories import ClientFactory
from scheduling.models import Appointment


def next_slot(days: int = 1, hour: int = 10) -> "timezone.datetime":
    """A whole hour `days` from now, in UTC."""
    day = timezone.now() + timedelta(days=days)
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


class AppointmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Appointment

    client = factory.SubFactory(ClientFactory)
    doctor = factory.SubFactory(DoctorFactory)
    starts_at = factory.Sequence(lambda n: next_slot(days=1 + n))
    duration_minutes = 30
    reason = "Check-up"
