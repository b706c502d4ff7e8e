# ruff: noqa: S101 (pytest asserts, as in every app's tests/)
"""The demo front desk on a freshly seeded database, in a real browser: find a
patient by a misspelt name, book from their page, confirm and check in with
the visit's buttons, cancel another visit after the browser's confirmation."""

from datetime import date, time, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from clinic.tests.factories import ClientFactory
from config.demo import DEMO_PASSWORD
from scheduling import selectors
from scheduling.models import Appointment, Status

pytestmark = pytest.mark.django_db(transaction=True)


def next_weekday() -> date:
    day = timezone.localdate() + timedelta(days=1)
    while day.weekday() >= 5:  # the demo doctors work Monday to Friday
        day += timedelta(days=1)
    return day


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#user-tools")


def book_from_patients_page(page, day: date, at: str) -> None:
    page.click("#book-appointment")
    page.wait_for_selector("#appointment_form")
    page.click("[aria-labelledby='select2-id_doctor-container']")
    page.fill(".select2-search__field", "house")
    page.click(".select2-results__option:has-text('Gregory House')")
    page.fill("#id_starts_at_0", day.isoformat())
    page.fill("#id_starts_at_1", at)
    page.fill("#id_reason", "Follow-up")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")


def test_front_desk_books_from_the_patient_and_checks_them_in(live_server, page, artifacts):
    call_command("seed_demo", doctors=2, clients=5, appointments=0)
    chloe = ClientFactory(first_name="Chloe", last_name="Rossi", date_of_birth=date(1990, 2, 3))
    base, day = live_server.url, next_weekday()
    sign_in(page, base, "frontdesk")

    # Find the patient by a misspelt name and open their page.
    page.goto(f"{base}/admin/clinic/client/")
    page.fill("#searchbar", "Rosi")
    page.press("#searchbar", "Enter")
    page.click(f"#result_list a[href^='/admin/clinic/client/{chloe.pk}/change/']")
    page.wait_for_selector("#book-appointment")
    page.screenshot(path=str(artifacts / "patient-page.png"), full_page=True)

    # Book from there: the patient is filled in.
    book_from_patients_page(page, day, "10:00:00")
    visit = Appointment.objects.get(client=chloe)
    assert visit.starts_at == selectors.local_moment(day, time(10)) and visit.doctor.username == "dr.house"

    # Confirm, then check in, with the visit's buttons.
    page.goto(f"{base}/admin/scheduling/appointment/{visit.pk}/change/")
    assert page.locator("#status-check_in").count() == 0  # not open before confirming
    page.click("#status-confirm")
    page.wait_for_selector(".messagelist .success")
    page.click("#status-check_in")
    page.wait_for_selector(".messagelist .success")
    visit.refresh_from_db()
    assert visit.status == Status.CHECKED_IN
    assert "Chloe Rossi with Dr. Gregory House" in page.content()
    page.screenshot(path=str(artifacts / "visit-page.png"), full_page=True)

    # A second visit, cancelled once the browser's confirmation is accepted.
    page.goto(f"{base}/admin/clinic/client/{chloe.pk}/change/")
    book_from_patients_page(page, day, "15:00:00")
    second = Appointment.objects.get(client=chloe, starts_at=selectors.local_moment(day, time(15)))
    page.goto(f"{base}/admin/scheduling/appointment/{second.pk}/change/")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("#status-cancel")
    second.refresh_from_db()
    assert second.status == Status.SCHEDULED  # dismissed: nothing posted
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#status-cancel")
    page.wait_for_selector(".messagelist .success")
    second.refresh_from_db()
    assert second.status == Status.CANCELLED

    # The patient's page lists both visits with their status.
    page.goto(f"{base}/admin/clinic/client/{chloe.pk}/change/")
    listed = page.locator("#appointments-group").inner_text()
    assert "checked in" in listed.lower() and "cancelled" in listed.lower()
