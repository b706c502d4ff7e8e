import io
import itertools
from datetime import time, timedelta

import pytest
from django.core.management import call_command
from django.test import Client as BrowserClient
from django.utils import timezone

from accounts.models import Role, User
from clinic.models import Client
from config.demo import DEMO_PASSWORD
from scheduling.models import Appointment, Reminder, Status, WorkingHours
from scheduling.selectors import local_date, local_moment
from scheduling.series import demo as series_demo
from scheduling.series.models import AppointmentSeries
from scheduling.waitlist.models import WaitlistEntry

pytestmark = pytest.mark.django_db


def test_seed_demo_fills_every_table_without_overlaps():
    call_command("seed_demo", doctors=4, clients=50, appointments=300)
    assert User.objects.filter(role=Role.DOCTOR).count() == 4
    assert Client.objects.count() == 50
    # the exclusion constraints accepted every row (and the series' visits besides)
    assert Appointment.objects.filter(series__isnull=True).count() == 300
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
    before = timezone.now()
    call_command("seed_demo", doctors=3, clients=40, appointments=600)
    now = timezone.now()
    reminders = Reminder.objects.select_related("appointment")
    assert reminders.exists()
    for reminder in reminders.filter(appointment__series__isnull=True):  # a series is booked as any
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


def test_seed_demo_books_a_weekly_series_and_fills_the_waitlist_through_the_services_once(settings):
    out = io.StringIO()
    call_command("seed_demo", doctors=3, clients=20, appointments=200, stdout=out)
    series = AppointmentSeries.objects.get()
    assert (series.client.user.username, series.doctor.username) == ("patient", "dr.house")
    visits = list(series.appointments.order_by("starts_at"))
    assert len(visits) == 6 and {v.status for v in visits} == {"scheduled"}
    assert {v.appointment_type.name for v in visits} == {"Follow-up"}
    today = timezone.localdate()
    days = [local_date(v.starts_at) for v in visits]
    assert days[0] == today + timedelta(days=7 - today.weekday())  # next week's Monday, then weekly
    assert all(later - earlier == timedelta(days=7) for earlier, later in itertools.pairwise(days))
    assert len({timezone.localtime(v.starts_at).time() for v in visits}) == 1
    reminders = Reminder.objects.filter(appointment__in=visits)
    assert reminders.count() == 6 * len(settings.REMINDER_OFFSETS_MINUTES)

    entries = list(WaitlistEntry.objects.select_related("doctor", "appointment_type").order_by("id"))
    assert [e.status for e in entries] == ["waiting"] * 3
    assert (entries[0].doctor.username, entries[0].appointment_type.name) == ("dr.house", "Consultation")
    assert (entries[2].doctor, entries[2].appointment_type) == (None, None)
    assert all(today < e.earliest_date <= e.latest_date <= today + timedelta(days=35) for e in entries)
    assert series.client not in {e.client for e in entries}
    assert "1 appointment_series, 3 waitlist_entries" in out.getvalue()

    visits_before = Appointment.objects.count()
    call_command("seed_demo", doctors=3, clients=20, appointments=200, stdout=io.StringIO())
    assert (AppointmentSeries.objects.count(), WaitlistEntry.objects.count()) == (1, 3)
    assert Appointment.objects.count() == visits_before


def test_a_dense_seed_still_succeeds_and_its_series_clashes_with_no_visit():
    """Visits copied over every week of the series: it takes a time free in all of
    them, or is left out, said in the output; the seed never fails for it."""
    out = io.StringIO()
    call_command("seed_demo", doctors=2, clients=40, appointments=2600, stdout=out)
    series = AppointmentSeries.objects.first()
    if series is None:
        assert NO_SERIES in out.getvalue()
        return
    for visit in series.appointments.all():
        others = Appointment.objects.active().exclude(pk=visit.pk)
        doctors = others.filter(doctor=visit.doctor).holding(visit.blocked_from, visit.blocked_until)
        clients = others.filter(client=visit.client).overlapping(visit.starts_at, visit.ends_at)
        assert not doctors.exists() and not clients.exists()


def test_a_series_the_services_refuse_is_left_out_and_said(monkeypatch):
    """A time the doctors do not work (a Saturday): create_series refuses it for
    each in turn; the rest of the demo is made and the output says why."""
    today = timezone.localdate()
    saturday = local_moment(today + timedelta(days=12 - today.weekday()), time(10))
    monkeypatch.setattr(series_demo, "free_weekly_start", lambda *_: saturday)
    out = io.StringIO()
    call_command("seed_demo", doctors=2, clients=10, appointments=20, stdout=out)
    assert not AppointmentSeries.objects.exists()
    assert not Appointment.objects.filter(starts_at__week_day=7).exists()  # no Saturday visit left
    assert WaitlistEntry.objects.count() == 3
    assert f"demo data: {NO_SERIES}" in out.getvalue()


NO_SERIES = "no weekly time from next week on is free for a demo series; none was made"
