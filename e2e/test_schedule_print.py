# ruff: noqa: S101 (pytest asserts, as in every app's tests/)
"""The front desk prints tomorrow's schedule in a real browser: "Print / PDF"
on the day schedule downloads the day as a PDF, which names the clinic, the
patient (written in Latin with diacritics) and the visit, and the print is
recorded as an audit `export` event. The page and the PDF are kept in
test-artifacts/ (day-schedule-print-button.png, day-schedule-print.pdf)."""

import io
from datetime import time, timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import AuditAction, AuditEvent
from accounts.tests.factories import PASSWORD, DoctorFactory, StaffFactory
from clinic.tests.factories import ClientFactory
from scheduling import selectors
from scheduling.models import WorkingHours
from scheduling.tests.factories import AppointmentFactory

DASH = "\u2013"  # the en dash printed between two times
pytestmark = pytest.mark.django_db(transaction=True)


def test_front_desk_downloads_the_days_schedule_as_a_pdf(live_server, page, artifacts, settings):
    settings.CLINIC_NAME = "Harbour Clinic"
    day = timezone.localdate() + timedelta(days=1)
    doctor = DoctorFactory(full_name="Gregory House")
    WorkingHours.objects.create(doctor=doctor, weekday=day.weekday(), start=time(9), end=time(17))
    patient = ClientFactory(first_name="Zoë", last_name="Łukasiewicz")
    AppointmentFactory(
        client=patient, doctor=doctor, starts_at=selectors.local_moment(day, time(10)), reason="Knee pain"
    )
    desk = StaffFactory(username="frontdesk")

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", desk.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#user-tools")
    page.goto(f"{live_server.url}/admin/scheduling/appointment/day/?date={day.isoformat()}")
    assert page.locator("#print-schedule").inner_text() == "Print / PDF"
    page.screenshot(path=str(artifacts / "day-schedule-print-button.png"))
    with page.expect_download() as download_info:
        page.click("#print-schedule")
    download = download_info.value

    assert download.suggested_filename == f"schedule-{day.isoformat()}.pdf"
    saved = artifacts / "day-schedule-print.pdf"
    download.save_as(saved)
    content = saved.read_bytes()
    assert content.startswith(b"%PDF-")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    for expected in ("Harbour Clinic", "Gregory House", "Zoë Łukasiewicz", f"10:00{DASH}10:30", "Knee pain"):
        assert expected in text, (expected, text)
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert (event.actor_id, event.object_type, event.object_id) == (desk.pk, "day_schedule", day.isoformat())
