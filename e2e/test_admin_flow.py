# ruff: noqa: S101 (pytest asserts, as in every app's tests/)
"""The front desk's day in the admin, in a real browser: sign in, create a
client, book, see the booking on the day schedule, be refused a double
booking, sign out; then a doctor sees only their own patients and visits."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import PASSWORD, DoctorFactory
from clinic.models import Client
from clinic.tests.factories import ClientFactory
from scheduling import selectors
from scheduling.models import Appointment, Status, TimeOff, WorkingHours
from scheduling.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db(transaction=True)
DAY = "/admin/scheduling/appointment/day/"


def log_in(page, base: str, user: User) -> None:
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#user-tools")


def log_out(page) -> None:
    page.click("#logout-form button")
    page.wait_for_selector("text=Logged out")


def pick(page, field: str, search: str, option: str) -> None:
    """Choose `option` in an admin autocomplete (select2) field."""
    page.click(f"[aria-labelledby='select2-id_{field}-container']")
    page.fill(".select2-search__field", search)
    page.click(f".select2-results__option:has-text('{option}')")


def book(page, base: str, *, client: str, doctor: User, day, at: str) -> None:
    page.goto(f"{base}/admin/scheduling/appointment/add/")
    pick(page, "client", client.split()[-1], client)
    pick(page, "doctor", doctor.username, doctor.full_name)
    page.fill("#id_starts_at_0", day.isoformat())
    page.fill("#id_starts_at_1", at)
    page.fill("#id_reason", "Check-up")
    page.click("input[name=_save]")


def at(day, hour, minute=0):
    return selectors.local_moment(day, time(hour, minute))


def furnish_the_day(world, day) -> None:
    """Other bookings, hours and time off, so the schedule looks like a real day."""
    names = {world.doctor: "Dr Amara Okafor", world.other_doctor: "Dr Lena Fischer"}
    for doctor, name in names.items():
        User.objects.filter(pk=doctor.pk).update(full_name=name)
        doctor.full_name = name
    third = DoctorFactory(full_name="Dr Tomás Reyes")
    for doctor, (start, end) in {world.doctor: (8, 17), world.other_doctor: (8, 16), third: (9, 13)}.items():
        WorkingHours.objects.create(doctor=doctor, weekday=day.weekday(), start=time(start), end=time(end))
    TimeOff.objects.create(doctor=world.other_doctor, starts_at=at(day, 12), ends_at=at(day, 13, 30))
    visits = [
        (world.doctor, world.client, 8, 30, 30, Status.COMPLETED),
        (world.doctor, ClientFactory(first_name="Noah", last_name="Brandt"), 9, 0, 45, Status.CHECKED_IN),
        (world.doctor, ClientFactory(first_name="Mia", last_name="Jensen"), 14, 0, 60, Status.SCHEDULED),
        (world.other_doctor, world.other_client, 9, 0, 30, Status.CONFIRMED),
        (
            world.other_doctor,
            ClientFactory(first_name="Omar", last_name="Haddad"),
            10,
            30,
            90,
            Status.SCHEDULED,
        ),
        (
            world.other_doctor,
            ClientFactory(first_name="Sofia", last_name="Rossi"),
            14,
            30,
            30,
            Status.CONFIRMED,
        ),
        (third, ClientFactory(first_name="Ethan", last_name="Clarke"), 9, 30, 30, Status.CONFIRMED),
        (third, ClientFactory(first_name="Yuki", last_name="Tanaka"), 11, 0, 60, Status.SCHEDULED),
    ]
    for doctor, client, hour, minute, minutes, status in visits:
        AppointmentFactory(
            doctor=doctor,
            client=client,
            starts_at=at(day, hour, minute),
            duration_minutes=minutes,
            status=status,
        )


def test_front_desk_books_and_a_doctor_sees_only_their_own(world, live_server, page, artifacts):
    base = live_server.url
    day = timezone.localdate() + timedelta(days=1)
    furnish_the_day(world, day)

    # Front desk: sign in, create a client record.
    log_in(page, base, world.staff)
    page.click(f"a[href='{DAY}']")  # the index links to the day schedule
    page.wait_for_selector(".schedule")
    page.goto(f"{base}/admin/clinic/client/add/")
    page.fill("#id_first_name", "Grace")
    page.fill("#id_last_name", "Hopper")
    page.fill("#id_phone", "+44 20 7946 0000")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    grace = Client.objects.get(last_name="Hopper")

    # Book Grace with the doctor at 11:00.
    book(page, base, client="Grace Hopper", doctor=world.doctor, day=day, at="11:00")
    page.wait_for_selector(".messagelist .success")
    booked = Appointment.objects.get(client=grace)
    assert (booked.doctor, booked.starts_at, booked.created_by) == (world.doctor, at(day, 11), world.staff)

    # The day schedule shows it in the doctor's column, linked to the appointment.
    page.goto(f"{base}/admin/scheduling/appointment/")
    page.click(f"a[href='{DAY}']")  # the changelist links to it too
    page.fill("#schedule-date", day.isoformat())
    page.click(".schedule-toolbar button")
    block = page.locator(
        f".schedule-column[data-doctor='{world.doctor.pk}'] a.appointment", has_text="Grace Hopper"
    )
    block.wait_for()
    assert block.get_attribute("href").startswith(f"/admin/scheduling/appointment/{booked.pk}/change/?next=")
    assert page.locator(".schedule-head[data-doctor]").count() == 3
    page.screenshot(path=str(artifacts / "day-schedule.png"), full_page=True)
    block.click()
    page.wait_for_selector("#appointment_form")

    # A double booking is refused with the service's message, nothing saved.
    book(page, base, client=str(world.other_client), doctor=world.doctor, day=day, at="11:00")
    page.wait_for_selector(".errornote")
    assert "The doctor already has an appointment at that time." in page.content()
    assert Appointment.objects.filter(doctor=world.doctor, starts_at=at(day, 11)).count() == 1
    log_out(page)

    # The doctor: their own patients and visits only.
    log_in(page, base, world.doctor)
    page.goto(f"{base}/admin/clinic/client/")
    listed = page.locator("#result_list tbody tr").all_inner_texts()
    assert any("Hopper" in row for row in listed) and any(world.client.last_name in row for row in listed)
    assert not any(world.other_client.last_name in row for row in listed)
    page.goto(f"{base}/admin/clinic/client/{world.other_client.pk}/change/")
    assert world.other_client.last_name not in page.content()
    page.goto(f"{base}{DAY}?date={day.isoformat()}")
    assert page.locator(".schedule-head[data-doctor]").count() == 1
    assert page.locator("a.appointment", has_text="Grace Hopper").count() == 1
    assert page.locator("a.appointment", has_text=world.other_client.last_name).count() == 0
    page.goto(f"{base}/admin/scheduling/appointment/")
    rows = page.locator("#result_list tbody tr").all_inner_texts()
    assert rows and all("Dr Amara Okafor" in row for row in rows)
    log_out(page)
