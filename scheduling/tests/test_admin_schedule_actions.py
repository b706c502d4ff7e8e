"""Acting from the day schedule: free working slots as booking links (doctor
and time filled in, back to the schedule after saving), each visit's status
buttons and reason, a shaded day off, the "now" line and the time zone."""

from datetime import time, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from scheduling.models import Appointment, Status, TimeOff, WorkingHours
from scheduling.tests.factories import AppointmentFactory
from scheduling.tests.helpers import at

pytestmark = pytest.mark.django_db
DAY = "/admin/scheduling/appointment/day/"
ADD = "/admin/scheduling/appointment/add/"


def tomorrow():
    return timezone.localdate() + timedelta(days=1)


def column_of(response, doctor):
    return next(column for column in response.context["columns"] if column.doctor.pk == doctor.pk)


def schedule_of(world, day):
    """The doctor works 09-12 on `day`: a visit at 10:00, time off 11:00-11:30."""
    WorkingHours.objects.create(doctor=world.doctor, weekday=day.weekday(), start=time(9), end=time(12))
    visit = AppointmentFactory(
        doctor=world.doctor, client=world.client, starts_at=at(day, 10), reason="Knee pain"
    )
    TimeOff.objects.create(doctor=world.doctor, starts_at=at(day, 11), ends_at=at(day, 11, 30))
    return visit


def test_free_working_slots_are_booking_links_with_doctor_time_and_the_way_back(world, admin_as):
    day = tomorrow()
    schedule_of(world, day)
    response = admin_as(world.staff).get(DAY, {"date": day.isoformat()})

    free = column_of(response, world.doctor).free
    assert [slot.time for slot in free] == ["09:00", "09:30", "10:30", "11:30"]
    query = parse_qs(urlsplit(free[2].url).query)
    assert urlsplit(free[2].url).path == ADD
    assert query == {
        "doctor": [str(world.doctor.pk)],
        "starts_at": [at(day, 10, 30).isoformat(timespec="minutes")],  # with its UTC offset
        "next": [f"{DAY}?date={day.isoformat()}"],
    }
    assert 'class="free-slot"' in response.content.decode()


def test_a_doctor_without_hours_that_day_is_shaded_as_a_day_off(world, admin_as):
    day = tomorrow()
    schedule_of(world, day)
    response = admin_as(world.staff).get(DAY, {"date": day.isoformat()})
    other = column_of(response, world.other_doctor)
    assert [(shade.css, shade.label) for shade in other.shaded] == [("day-off", "Day off")]
    assert other.free == []
    assert "Day off: no working hours" in response.content.decode()


def test_past_slots_of_today_are_not_offered(world, admin_as):
    today = timezone.localdate()
    WorkingHours.objects.create(doctor=world.doctor, weekday=today.weekday(), start=time(0), end=time(23, 59))
    response = admin_as(world.staff).get(DAY, {"date": today.isoformat()})
    now = timezone.now()
    starts = [at(today, *map(int, slot.time.split(":"))) for slot in column_of(response, world.doctor).free]
    assert all(start > now for start in starts)
    assert response.context["now_top"] is not None  # the grid spans the whole day
    assert 'class="now-line"' in response.content.decode()


def test_the_page_says_its_time_zone_and_other_days_have_no_now_line(world, admin_as, settings):
    response = admin_as(world.staff).get(DAY, {"date": tomorrow().isoformat()})
    assert f"Times in {settings.TIME_ZONE}" in response.content.decode()
    assert response.context["now_top"] is None


def test_each_visit_shows_its_reason_and_only_its_open_status_buttons(world, admin_as):
    day = tomorrow()
    visit = schedule_of(world, day)
    html = admin_as(world.staff).get(DAY, {"date": day.isoformat()}).content.decode()
    assert "Knee pain" in html
    assert f'popovertarget="visit-{visit.pk}"' in html
    assert f'id="status-confirm-{visit.pk}"' in html and f'id="status-cancel-{visit.pk}"' in html
    assert f'id="status-check_in-{visit.pk}"' not in html
    assert f'<input type="hidden" name="next" value="{DAY}?date={day.isoformat()}">' in html


def test_a_doctor_gets_status_buttons_but_no_booking_links(world, admin_as):
    day = tomorrow()
    visit = schedule_of(world, day)
    response = admin_as(world.doctor).get(DAY, {"date": day.isoformat()})
    assert column_of(response, world.doctor).free == []
    assert f'id="status-confirm-{visit.pk}"' in response.content.decode()


def test_booking_from_a_free_slot_fills_the_form_and_returns_to_the_schedule(world, admin_as):
    day = tomorrow()
    schedule_of(world, day)
    desk = admin_as(world.staff)
    back = f"{DAY}?date={day.isoformat()}"
    query = {"doctor": world.doctor.pk, "starts_at": f"{day.isoformat()}T10:30", "next": back}

    page = desk.get(ADD, query)
    initial = page.context["adminform"].form.initial
    assert (initial["doctor"], timezone.localtime(initial["starts_at"])) == (
        str(world.doctor.pk),
        at(day, 10, 30),
    )
    assert f'value="{day.isoformat()}"' in page.content.decode() and 'value="10:30"' in page.content.decode()

    data = {
        "client": world.other_client.pk, "doctor": world.doctor.pk, "starts_at_0": day.isoformat(),
        "starts_at_1": "10:30", "duration_minutes": 30, "reason": "", "notes": "", "_save": "Save",
    }  # fmt: skip
    response = desk.post(f"{ADD}?{page.request['QUERY_STRING']}", data)
    assert (response.status_code, response["Location"]) == (302, back)
    assert Appointment.objects.filter(client=world.other_client, starts_at=at(day, 10, 30)).exists()
    shown = [str(message) for message in desk.get(back).context["messages"]]
    assert any(message.startswith(f"Booked: {world.other_client}") for message in shown)


@pytest.mark.parametrize("raw", ["tuesday", "2026-13-40T10:00", ""])
def test_a_starts_at_that_is_not_a_time_is_left_out_of_the_form(world, admin_as, raw):
    page = admin_as(world.staff).get(ADD, {"starts_at": raw})
    assert page.status_code == 200
    assert "starts_at" not in page.context["adminform"].form.initial


def test_saving_a_visit_opened_from_the_schedule_returns_there_but_never_off_site(world, admin_as):
    day = tomorrow()
    visit = schedule_of(world, day)
    desk = admin_as(world.staff)
    data = {
        "doctor": world.doctor.pk, "starts_at_0": day.isoformat(), "starts_at_1": "10:00",
        "duration_minutes": 30, "reason": "Knee pain, left", "notes": "", "_save": "Save",
    }  # fmt: skip
    change = f"/admin/scheduling/appointment/{visit.pk}/change/"
    back = f"{DAY}?date={day.isoformat()}"
    assert desk.post(change, data, QUERY_STRING=f"next={back}")["Location"] == back
    away = desk.post(change, data, QUERY_STRING="next=https://evil.example/")
    assert away["Location"] == "/admin/scheduling/appointment/"
    visit.refresh_from_db()
    assert (visit.reason, visit.status) == ("Knee pain, left", Status.SCHEDULED)
