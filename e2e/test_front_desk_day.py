# ruff: noqa: S101 (pytest asserts, as in every app's tests/)
"""The demo front desk on a freshly seeded database, in a real browser: find a
patient by a misspelt name, book from their page, confirm and check in with
the visit's buttons, cancel another visit with a reason; then the day
schedule: confirm and check in from a visit's block, book by clicking a free
time; and a doctor's day, completing the visit the desk checked in."""

from datetime import date, time, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from clinic.tests.factories import ClientFactory
from config.demo import DEMO_PASSWORD
from scheduling import selectors, services
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
    book_from_patients_page(page, day, "10:00")
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
    book_from_patients_page(page, day, "15:00")
    second = Appointment.objects.get(client=chloe, starts_at=selectors.local_moment(day, time(15)))
    page.goto(f"{base}/admin/scheduling/appointment/{second.pk}/change/")
    page.click("#status-cancel")  # opens the short form: nothing posted yet
    page.wait_for_selector("#cancel-reason")
    second.refresh_from_db()
    assert second.status == Status.SCHEDULED
    page.fill("#cancel-reason", "Rebooking after her holiday")
    page.click("#cancel-confirm")
    page.wait_for_selector(".messagelist .success")
    second.refresh_from_db()
    assert (second.status, second.cancel_reason) == (Status.CANCELLED, "Rebooking after her holiday")

    # The patient's page lists both visits with their status.
    page.goto(f"{base}/admin/clinic/client/{chloe.pk}/change/")
    listed = page.locator("#appointments-group").inner_text()
    assert "checked in" in listed.lower() and "cancelled" in listed.lower()


def open_actions(page, visit) -> None:
    page.click(f"button[popovertarget='visit-{visit.pk}']")
    page.wait_for_selector(f"#visit-{visit.pk}:popover-open")


def test_front_desk_acts_from_the_schedule_and_the_doctor_completes(live_server, page, artifacts):
    call_command("seed_demo", doctors=2, clients=5, appointments=0)
    chloe = ClientFactory(first_name="Chloe", last_name="Rossi", date_of_birth=date(1990, 2, 3))
    base, day = live_server.url, next_weekday()
    house = User.objects.get(username="dr.house")
    visit = services.book_appointment(
        client=chloe, doctor=house, starts_at=selectors.local_moment(day, time(10)), reason="Knee pain"
    )
    schedule = f"{base}/admin/scheduling/appointment/day/?date={day.isoformat()}"
    sign_in(page, base, "frontdesk")
    page.goto(schedule)
    assert "Knee pain" in page.locator(f"#visit-{visit.pk}").inner_text()
    assert page.locator("#schedule-zone").inner_text().startswith("Times in ")

    # Confirm, then check in, from the visit's block: each time back on the schedule.
    open_actions(page, visit)
    page.click(f"#status-confirm-{visit.pk}")
    page.wait_for_selector(".messagelist .success")
    assert page.url == schedule
    open_actions(page, visit)
    assert page.locator(f"#status-confirm-{visit.pk}").count() == 0
    page.click(f"#status-check_in-{visit.pk}")
    page.wait_for_selector(".messagelist .success")
    visit.refresh_from_db()
    assert visit.status == Status.CHECKED_IN and page.url == schedule

    # Book by clicking a free time: doctor and time filled in, then back here.
    column = f".schedule-column[data-doctor='{house.pk}']"
    page.click(f"{column} a.free-slot[title^='Book 11:00 ']")
    page.wait_for_selector("#appointment_form")
    assert (
        page.input_value("#id_starts_at_0") == day.isoformat()
        and page.input_value("#id_starts_at_1") == "11:00"
    )
    assert "Gregory House" in page.locator("#select2-id_doctor-container").inner_text()
    page.click("[aria-labelledby='select2-id_client-container']")
    page.fill(".select2-search__field", "Rossi")
    option = page.locator(".select2-results__option", has_text="Chloe Rossi · b. 3 Feb 1990")
    option.click()
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    assert page.url == schedule
    booked = Appointment.objects.get(client=chloe, starts_at=selectors.local_moment(day, time(11)))
    assert page.locator(f"{column} button[popovertarget='visit-{booked.pk}']").count() == 1
    assert page.locator(f"{column} a.free-slot[title^='Book 11:00 ']").count() == 0
    page.screenshot(path=str(artifacts / "day-schedule-front-desk.png"), full_page=True)

    # The doctor's day: their column only, no booking links, and Complete on the visit.
    page.context.clear_cookies()
    sign_in(page, base, "dr.house")
    page.goto(schedule)
    assert page.locator(".schedule-head[data-doctor]").count() == 1
    assert page.locator("a.free-slot").count() == 0
    open_actions(page, visit)
    page.click(f"#status-complete-{visit.pk}")
    page.wait_for_selector(".messagelist .success")
    visit.refresh_from_db()
    assert visit.status == Status.COMPLETED and page.url == schedule
    page.screenshot(path=str(artifacts / "day-schedule-doctor.png"), full_page=True)
