import pytest
from django.core.management import call_command

from accounts.models import Role, User
from clinic.models import Client
from scheduling.models import Appointment, WorkingHours

pytestmark = pytest.mark.django_db


def test_seed_demo_fills_every_table_without_overlaps():
    call_command("seed_demo", doctors=4, clients=50, appointments=300)
    assert User.objects.filter(role=Role.DOCTOR).count() == 4
    assert Client.objects.count() == 50
    assert Appointment.objects.count() == 300  # the exclusion constraints accepted every row
    assert WorkingHours.objects.filter(weekday=0).count() == 4
    assert Client.objects.get(user__username="patient").first_name == "Pat"
    assert User.objects.get(username="admin").is_admin


def test_seed_demo_if_empty_leaves_a_used_database_alone(world):
    call_command("seed_demo", if_empty=True)
    assert not User.objects.filter(username="admin").exists()
