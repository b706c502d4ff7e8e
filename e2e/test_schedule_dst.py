# ruff: noqa: S101 (pytest asserts, as in every app's tests/)
"""The day schedule on the night the clocks go back (Europe/Berlin, 27
October 2030), in a real browser: the repeated hour's rows come twice,
labelled with their UTC offsets; a visit is drawn as tall as it lasts, with
its type's colour as a stripe and its buffers as bands; clicking the second
02:00 books that instant (01:00 UTC), not the first. The page is kept in
test-artifacts/day-schedule-fall-back.png."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from accounts.tests.factories import PASSWORD, DoctorFactory, StaffFactory
from clinic.tests.factories import ClientFactory
from scheduling.models import Appointment, WorkingHours
from scheduling.tests.factories import AppointmentFactory, AppointmentTypeFactory

pytestmark = pytest.mark.django_db(transaction=True)
FALL_BACK = date(2030, 10, 27)
ROW = 34


def berlin(hour, minute=0, *, fold=0) -> datetime:
    local = datetime.combine(FALL_BACK, time(hour, minute), tzinfo=ZoneInfo("Europe/Berlin"))
    return local.replace(fold=fold).astimezone(UTC)


def test_the_night_the_clocks_go_back(live_server, page, artifacts, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    doctor = DoctorFactory(full_name="Gregory House")
    WorkingHours.objects.create(doctor=doctor, weekday=FALL_BACK.weekday(), start=time(0), end=time(6))
    physio = AppointmentTypeFactory(
        name="Physio", color="#aa3377", duration_minutes=60, buffer_before_minutes=15, buffer_after_minutes=15
    )
    long_visit = AppointmentFactory(  # 00:30-01:30 summer time, buffers 00:15 and to 01:45
        doctor=doctor,
        client=ClientFactory(),
        starts_at=berlin(0, 30),
        duration_minutes=60,
        appointment_type=physio,
    )
    summer = AppointmentFactory(doctor=doctor, client=ClientFactory(), starts_at=berlin(2, 15))
    ClientFactory(first_name="Chloe", last_name="Rossi")
    desk = StaffFactory(username="frontdesk")

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", desk.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#user-tools")
    page.goto(f"{live_server.url}/admin/scheduling/appointment/day/?date={FALL_BACK.isoformat()}")

    rows = [" ".join(text.split()) for text in page.locator(".schedule-times div").all_inner_texts()]
    assert rows[4:8] == ["02:00 (UTC+2)", "02:30 (UTC+2)", "02:00 (UTC+1)", "02:30 (UTC+1)"]
    assert "The clocks go back this day" in page.locator("#clock-change").inner_text()

    visit = page.locator(f".visit:has(button[popovertarget='visit-{long_visit.pk}'])")
    assert visit.bounding_box()["height"] == 2 * ROW - 3
    stripe = visit.locator("a.appointment").evaluate("element => getComputedStyle(element).boxShadow")
    assert "rgb(170, 51, 119)" in stripe
    bands = page.locator(".buffer[title='Buffer 15 min']")
    assert bands.count() == 2 and all(round(bands.nth(i).bounding_box()["height"]) == 17 for i in range(2))
    # The 02:15 summer-time visit sits in the first 02:00 row, the second 02:00 row is free.
    row_y = [box["y"] for box in (page.locator(".schedule-times div").nth(i).bounding_box() for i in (4, 6))]
    summer_y = page.locator(f".visit:has(button[popovertarget='visit-{summer.pk}'])").bounding_box()["y"]
    assert summer_y - row_y[0] == pytest.approx(15 * ROW // 30 + 1, abs=1)
    winter_slot = page.locator("a.free-slot[title^='Book 02:00 (UTC+1) ']")
    assert winter_slot.bounding_box()["y"] == pytest.approx(row_y[1], abs=1)
    page.screenshot(path=str(artifacts / "day-schedule-fall-back.png"), full_page=True)

    winter_slot.click()
    page.wait_for_selector("#appointment_form")
    assert (page.input_value("#id_starts_at_0"), page.input_value("#id_starts_at_1")) == (
        "2030-10-27",
        "02:00",
    )
    page.click("[aria-labelledby='select2-id_client-container']")
    page.fill(".select2-search__field", "Rossi")
    page.locator(".select2-results__option", has_text="Chloe Rossi").click()
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    booked = Appointment.objects.get(client__last_name="Rossi")
    assert booked.starts_at == datetime(2030, 10, 27, 1, tzinfo=UTC)  # the second 02:00
