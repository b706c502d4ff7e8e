import pytest
from django.core.management import call_command
from django.test import Client as BrowserClient

from accounts.models import Role, User
from clinic.models import Client
from config.demo import DEMO_PASSWORD
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


@pytest.mark.parametrize("username", ["admin", "dr.house", "dr.grey", "frontdesk"])
def test_every_named_demo_account_signs_in_to_the_admin_on_the_first_run(username):
    call_command("seed_demo", doctors=3, clients=5, appointments=5)
    response = BrowserClient().post(
        "/admin/login/?next=/admin/", {"username": username, "password": DEMO_PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert response.wsgi_request.user.username == username
    assert response.request["PATH_INFO"] == "/admin/"


def test_demo_accounts_carry_their_roles_group_and_the_patient_stays_out_of_the_admin():
    call_command("seed_demo", doctors=4, clients=5, appointments=5)
    for user in User.objects.exclude(role=Role.PATIENT):
        assert user.is_staff and list(user.groups.values_list("name", flat=True)) == [user.role]
    patient = User.objects.get(username="patient")
    assert not patient.is_staff and not patient.groups.exists()


def test_seed_demo_gives_the_visits_around_today_their_reminders_as_booking_would():
    from datetime import timedelta

    from django.utils import timezone

    from scheduling.models import Reminder, Status

    before = timezone.now()
    call_command("seed_demo", doctors=3, clients=40, appointments=600)
    now = timezone.now()
    reminders = Reminder.objects.select_related("appointment")
    assert reminders.exists()
    for reminder in reminders:
        visit = reminder.appointment
        assert now - timedelta(days=2) <= visit.starts_at < now + timedelta(days=14)
        if visit.status in (Status.CANCELLED, Status.NO_SHOW):
            assert reminder.status == "cancelled"
        elif reminder.scheduled_for <= before:
            assert reminder.status == "sent" and reminder.sent_at == reminder.scheduled_for
        elif reminder.scheduled_for > now:
            assert reminder.status == "pending" and reminder.job_id.startswith("reminder-")
        # due while seeding ran: sent or pending, either is booking's own answer at that moment
    assert reminders.filter(status="pending").exists() and reminders.filter(status="sent").exists()
    ahead = Appointment.objects.filter(starts_at__gte=now, starts_at__lt=now + timedelta(days=14))
    assert reminders.filter(appointment__in=ahead).count() == 2 * ahead.count()
