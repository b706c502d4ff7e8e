"""The admin day schedule's "Print / PDF": the day's visits of the doctors the
page shows, as a downloadable PDF, audited as an `export` naming no patient."""

import io
import json
from datetime import time, timedelta

import pytest
from django.test import Client as BrowserClient
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import AuditAction, AuditEvent
from clinic.tests.factories import ClientFactory
from scheduling import selectors
from scheduling.models import Status, TimeOff, WorkingHours
from scheduling.tests.factories import AppointmentFactory

DASH = "\u2013"  # the en dash printed between two times
pytestmark = pytest.mark.django_db
DAY = "/admin/scheduling/appointment/day/"
PDF = "/admin/scheduling/appointment/day/pdf/"


def tomorrow():
    return timezone.localdate() + timedelta(days=1)


def at(day, hour, minute=0):
    return selectors.local_moment(day, time(hour, minute))


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def day_booked(world, settings):
    """Tomorrow: the world's doctor works 08:00-12:00 and sees Ελένη at 09:00; the
    other doctor has time off and sees the other patient; a cancelled visit."""
    settings.CLINIC_NAME = "Harbour Clinic"
    # Names no other text on the page contains (Faker's could: a client "Lee"
    # beside a doctor "Jennifer Lee").
    world.other_client.last_name = "Quaglioni"
    world.other_client.save()
    world.other_doctor.full_name = "Dr Osterwald"
    world.other_doctor.save()
    day = tomorrow()
    WorkingHours.objects.create(doctor=world.doctor, weekday=day.weekday(), start=time(8), end=time(12))
    client = ClientFactory(first_name="Ελένη", last_name="Παπαδοπούλου")
    AppointmentFactory(client=client, doctor=world.doctor, starts_at=at(day, 9), reason="Back pain")
    AppointmentFactory(
        client=world.other_client, doctor=world.other_doctor, starts_at=at(day, 11), status=Status.CONFIRMED
    )
    AppointmentFactory(
        client=world.client, doctor=world.doctor, starts_at=at(day, 10), status=Status.CANCELLED
    )
    TimeOff.objects.create(doctor=world.other_doctor, starts_at=at(day, 13), ends_at=at(day, 15))
    return day


def test_staff_print_every_doctors_day(world, admin_as, day_booked):
    response = admin_as(world.staff).get(PDF, {"date": day_booked.isoformat()})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="schedule-{day_booked.isoformat()}.pdf"'
    assert "no-store" in response["Cache-Control"].split(", ")  # with the admin's own never_cache
    text = pdf_text(response.content)
    for expected in (
        "Harbour Clinic",
        f"Day schedule: {day_booked:%A %d %B %Y}",
        str(world.doctor),
        f"08:00{DASH}12:00",
        f"09:00{DASH}09:30",
        "Ελένη Παπαδοπούλου",
        "Back pain",
        str(world.other_doctor),
        f"{world.other_client.first_name} {world.other_client.last_name}",
        "Confirmed",
        "Time off",
        f"13:00{DASH}15:00",
    ):
        assert expected in text, (expected, text)
    assert f"{world.client.first_name} {world.client.last_name}" not in text  # cancelled: off the page too


def test_a_doctor_prints_only_their_own_column(world, admin_as, day_booked):
    response = admin_as(world.doctor).get(PDF, {"date": day_booked.isoformat()})

    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Ελένη Παπαδοπούλου" in text
    assert str(world.other_doctor) not in text and world.other_client.last_name not in text


def test_each_print_is_an_export_event_naming_the_day_only(world, admin_as, day_booked):
    admin_as(world.staff).get(PDF, {"date": day_booked.isoformat()})

    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert (event.actor, event.object_type, event.object_id, event.fields) == (
        world.staff,
        "day_schedule",
        day_booked.isoformat(),
        [],
    )
    stored = json.dumps(list(AuditEvent.objects.values()), default=str)
    assert "Ελένη" not in stored and "Back pain" not in stored


def test_a_day_nobody_works_prints_as_such(world, admin_as):
    response = admin_as(world.doctor).get(PDF, {"date": "2031-01-06"})
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Day off: no working hours" in text and "No appointments." in text


def test_a_date_that_is_not_one_is_400_and_not_audited(world, admin_as):
    response = admin_as(world.staff).get(PDF, {"date": "06/01/2031"})
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


@pytest.mark.parametrize("role", ["patient", "anonymous"])
def test_printing_is_closed_to_others(world, admin_as, role):
    browser = admin_as(world.patient) if role == "patient" else BrowserClient()
    response = browser.get(PDF, {"date": tomorrow().isoformat()})
    assert response.status_code == 302  # to the admin's login page
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_the_schedule_page_links_to_its_print(world, admin_as):
    day = tomorrow()
    html = admin_as(world.staff).get(DAY, {"date": day.isoformat()}).content.decode()
    assert f'id="print-schedule" href="{PDF}?date={day.isoformat()}"' in html


def test_printing_costs_the_same_queries_however_full_the_day(world, admin_as, django_assert_max_num_queries):
    day = tomorrow()
    browser = admin_as(world.staff)
    browser.get(DAY)  # the session and the user, loaded once as on any admin page
    for hour in range(8, 18):
        AppointmentFactory(doctor=world.doctor, client=ClientFactory(), starts_at=at(day, hour))
        AppointmentFactory(doctor=world.other_doctor, client=ClientFactory(), starts_at=at(day, hour))

    with django_assert_max_num_queries(9):
        response = browser.get(PDF, {"date": day.isoformat()})

    assert response.status_code == 200
    assert pdf_text(response.content).count("Scheduled") == 20
