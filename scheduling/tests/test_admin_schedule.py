"""The day schedule, booking refusals as form errors, appointment scope by
role, and the scheduling changelists' query counts."""

from datetime import time, timedelta

import pytest
from django.test import Client as BrowserClient
from django.utils import timezone

from clinic.tests.factories import ClientFactory
from scheduling import selectors
from scheduling.models import Appointment, Reminder, Status, TimeOff, WorkingHours
from scheduling.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db
DAY = "/admin/scheduling/appointment/day/"
ADD = "/admin/scheduling/appointment/add/"


def tomorrow():
    return timezone.localdate() + timedelta(days=1)


def at(day, hour, minute=0):
    return selectors.local_moment(day, time(hour, minute))


def test_day_schedule_shows_a_column_per_doctor_and_blocks_by_status(world, admin_as):
    day = tomorrow()
    WorkingHours.objects.create(doctor=world.doctor, weekday=day.weekday(), start=time(7), end=time(16))
    mine = AppointmentFactory(
        doctor=world.doctor, client=world.client, starts_at=at(day, 9), duration_minutes=60
    )
    AppointmentFactory(
        doctor=world.other_doctor, client=world.other_client, starts_at=at(day, 11), status=Status.CONFIRMED
    )
    AppointmentFactory(
        doctor=world.doctor, client=world.client, starts_at=at(day, 14), status=Status.CANCELLED
    )
    TimeOff.objects.create(doctor=world.other_doctor, starts_at=at(day, 13), ends_at=at(day, 15))

    response = admin_as(world.staff).get(DAY, {"date": day.isoformat()})

    assert response.status_code == 200
    columns = {column.doctor.pk: column for column in response.context["columns"]}
    assert set(columns) == {world.doctor.pk, world.other_doctor.pk}
    assert response.context["slots"][0] == "07:00" and response.context["slots"][-1] == "15:30"
    [block] = columns[world.doctor.pk].appointments
    assert (block.css, block.height, block.url) == (
        "status-scheduled",
        2 * 34 - 3,
        f"/admin/scheduling/appointment/{mine.pk}/change/",
    )
    assert [b.css for b in columns[world.other_doctor.pk].appointments] == ["status-confirmed"]
    assert "time-off" in {shade.css for shade in columns[world.other_doctor.pk].shaded}
    html = response.content.decode()
    assert f'href="/admin/scheduling/appointment/{mine.pk}/change/?next=' in html
    assert 'type="date"' in html and f"?date={(day - timedelta(days=1)).isoformat()}" in html


def test_day_schedule_defaults_to_today_and_eight_to_six(world, admin_as):
    response = admin_as(world.staff).get(DAY, {"date": "not-a-date"})
    assert response.status_code == 200
    assert response.context["day"] == timezone.localdate() and response.context["invalid_date"]
    assert (response.context["slots"][0], response.context["slots"][-1]) == ("08:00", "17:30")


def test_a_doctor_sees_only_their_own_column(world, admin_as):
    day = tomorrow()
    AppointmentFactory(doctor=world.other_doctor, client=world.other_client, starts_at=at(day, 10))
    response = admin_as(world.doctor).get(DAY, {"date": day.isoformat()})
    assert response.status_code == 200
    assert [column.doctor.pk for column in response.context["columns"]] == [world.doctor.pk]
    assert world.other_client.last_name not in response.content.decode()


@pytest.mark.parametrize("role", ["patient", "anonymous"])
def test_day_schedule_is_closed_to_others(world, admin_as, role):
    browser = BrowserClient()
    if role == "patient":
        browser = admin_as(world.patient)
    assert browser.get(DAY).status_code == 302  # to the admin's login page


def test_day_schedule_queries_do_not_grow_with_bookings(world, admin_as, django_assert_max_num_queries):
    day = tomorrow()
    browser = admin_as(world.staff)
    for hour in range(8, 16):
        AppointmentFactory(doctor=world.doctor, client=ClientFactory(), starts_at=at(day, hour))
        AppointmentFactory(doctor=world.other_doctor, client=ClientFactory(), starts_at=at(day, hour))
    with django_assert_max_num_queries(8):
        response = browser.get(DAY, {"date": day.isoformat()})
    assert response.context["appointment_count"] == 16


def test_index_and_changelist_link_to_the_day_schedule(world, admin_as):
    browser = admin_as(world.staff)
    assert DAY.encode() in browser.get("/admin/").content
    assert DAY.encode() in browser.get("/admin/scheduling/appointment/").content


def form(world, start, **extra):
    local = timezone.localtime(start)
    return {
        "client": world.client.pk, "doctor": world.doctor.pk,
        "starts_at_0": local.date().isoformat(), "starts_at_1": local.time().isoformat(),
        "duration_minutes": 30, "reason": "Check-up", "notes": "", **extra,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("problem", "message"),
    [
        ("slot_taken", "The doctor already has an appointment at that time."),
        ("client_busy", "The client already has an appointment at that time."),
        ("outside_working_hours", "outside the doctor"),
        ("time_off", "inside their time off"),
        ("past", "Must not be in the past."),
        ("duration", "Must be between 5 and 480 minutes."),
    ],
)
def test_staff_booking_refusals_are_readable_form_errors(world, admin_as, problem, message):
    day = tomorrow()
    start = at(day, 10)
    data = form(world, start)
    if problem == "slot_taken":
        AppointmentFactory(doctor=world.doctor, client=world.other_client, starts_at=start)
    if problem == "client_busy":
        AppointmentFactory(doctor=world.other_doctor, client=world.client, starts_at=start)
    if problem == "outside_working_hours":
        WorkingHours.objects.create(doctor=world.doctor, weekday=day.weekday(), start=time(12), end=time(16))
    if problem == "time_off":
        TimeOff.objects.create(doctor=world.doctor, starts_at=at(day, 9), ends_at=at(day, 12))
    if problem == "past":
        data = form(world, timezone.now() - timedelta(days=1))
    if problem == "duration":
        data["duration_minutes"] = 500
    before = Appointment.objects.count()

    response = admin_as(world.staff).post(ADD, data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert Appointment.objects.count() == before


def test_staff_books_and_a_doctor_changes_only_notes_of_their_own(world, admin_as):
    start = at(tomorrow(), 10)
    assert admin_as(world.staff).post(ADD, form(world, start)).status_code == 302
    appointment = Appointment.objects.get()
    doctor = admin_as(world.doctor)
    page = doctor.get(f"/admin/scheduling/appointment/{appointment.pk}/change/")
    assert set(page.context["adminform"].form.fields) == {"notes"}
    assert doctor.get(ADD).status_code == 403
    response = doctor.post(
        f"/admin/scheduling/appointment/{appointment.pk}/change/", {"notes": "Bring X-ray"}
    )
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert (appointment.notes, appointment.starts_at) == ("Bring X-ray", start)
    other = admin_as(world.other_doctor)
    for url in ("change", "history", "delete"):
        response = other.get(f"/admin/scheduling/appointment/{appointment.pk}/{url}/")
        assert response.status_code in (302, 403, 404)
        assert world.client.last_name.encode() not in response.content


def test_a_doctor_confirms_their_own_but_cannot_delete(world, admin_as):
    appointment = AppointmentFactory(doctor=world.doctor, client=world.client, starts_at=at(tomorrow(), 10))
    doctor = admin_as(world.doctor)
    doctor.post(
        "/admin/scheduling/appointment/",
        {"action": "confirm_selected", "_selected_action": [appointment.pk]},
    )
    appointment.refresh_from_db()
    assert appointment.status == Status.CONFIRMED
    assert (
        doctor.post(f"/admin/scheduling/appointment/{appointment.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert Appointment.objects.filter(pk=appointment.pk).exists()


def test_a_doctor_manages_only_their_own_time_off_and_hours(world, admin_as):
    day = tomorrow()
    mine = TimeOff.objects.create(doctor=world.doctor, starts_at=at(day, 9), ends_at=at(day, 10))
    theirs = TimeOff.objects.create(doctor=world.other_doctor, starts_at=at(day, 9), ends_at=at(day, 10))
    doctor = admin_as(world.doctor)
    listing = doctor.get("/admin/scheduling/timeoff/")
    assert [row.pk for row in listing.context["cl"].result_list] == [mine.pk]
    assert doctor.get(f"/admin/scheduling/timeoff/{theirs.pk}/change/").status_code == 302
    response = doctor.post(
        "/admin/scheduling/workinghours/add/",
        {"doctor": world.other_doctor.pk, "weekday": 0, "start": "09:00", "end": "12:00"},
    )
    assert response.status_code == 200 and not WorkingHours.objects.exists()
    response = doctor.post(
        "/admin/scheduling/workinghours/add/",
        {"doctor": world.doctor.pk, "weekday": 0, "start": "09:00", "end": "12:00"},
    )
    assert response.status_code == 302
    assert WorkingHours.objects.get().doctor == world.doctor


def make_rows(world, rows):
    day = tomorrow()
    for index in range(rows):
        start = at(day + timedelta(days=index // 8), 8 + index % 8)
        appointment = AppointmentFactory(doctor=world.doctor, client=ClientFactory(), starts_at=start)
        Reminder.objects.create(appointment=appointment, offset_minutes=60, scheduled_for=start)
        TimeOff.objects.create(
            doctor=world.other_doctor, starts_at=start, ends_at=start + timedelta(minutes=30)
        )
        WorkingHours.objects.create(
            doctor=world.doctor if index < 7 else world.other_doctor,
            weekday=index % 7,
            start=time(8),
            end=time(9),
        ) if index < 14 else None


@pytest.mark.parametrize("rows", [3, 30])
@pytest.mark.parametrize("url", ["appointment", "reminder", "timeoff", "workinghours"])
def test_scheduling_changelists_do_not_grow_with_rows(
    world, admin_as, django_assert_max_num_queries, rows, url
):
    make_rows(world, rows)
    browser = admin_as(world.admin)
    with django_assert_max_num_queries(10):
        response = browser.get(f"/admin/scheduling/{url}/")
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) >= 3
