"""The day schedule in real time: on the two days a year the clocks change
(Europe/Berlin, 2030: forward at 02:00 on 31 March, back at 03:00 on 27
October) rows are real half hours labelled with the wall-clock time, the
skipped hour has none, the repeated hour's come twice told apart by their UTC
offset, and visits are as tall as they really last. Each visit shows its
type's colour, kind, room and buffers; a booking link of the repeated hour
names one instant, and the booking form keeps it; the printed schedule tells
the two hours apart too."""

import io
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from pypdf import PdfReader

from clinic.tests.factories import ClientFactory
from scheduling.models import Appointment, TimeOff, WorkingHours
from scheduling.tests.factories import AppointmentFactory, AppointmentTypeFactory, RoomFactory

pytestmark = pytest.mark.django_db
DAY = "/admin/scheduling/appointment/day/"
ADD = "/admin/scheduling/appointment/add/"
PDF = "/admin/scheduling/appointment/day/pdf/"
BERLIN = ZoneInfo("Europe/Berlin")
SPRING_FORWARD = date(2030, 3, 31)  # 02:00 CET → 03:00 CEST
FALL_BACK = date(2030, 10, 27)  # 03:00 CEST → 02:00 CET: 02:00-02:59 comes twice
DASH = "\u2013"
ROW = 34


@pytest.fixture(autouse=True)
def _berlin(settings):
    settings.TIME_ZONE = "Europe/Berlin"


def at(day, hour, minute=0, *, fold=0) -> datetime:
    """The instant (in UTC) Berlin's clocks show `hour:minute` on `day`; `fold=1`:
    the second time they show it (the clocks went back). In UTC because Python
    compares datetimes of one zone by their wall clocks, fold aside."""
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN).replace(fold=fold).astimezone(UTC)


def night_shift(*doctors, day) -> None:
    """The doctors work 00:00-06:00 local on `day`: the change falls inside."""
    for doctor in doctors:
        WorkingHours.objects.create(doctor=doctor, weekday=day.weekday(), start=time(0), end=time(6))


def schedule(browser, day):
    response = browser.get(DAY, {"date": day.isoformat()})
    assert response.status_code == 200
    return response


def column_of(response, doctor):
    return next(column for column in response.context["columns"] if column.doctor.pk == doctor.pk)


def row_of(response, block) -> str:
    """The label of the row a visit block starts in (its top is one pixel below the row's)."""
    return response.context["slots"][block.top // ROW]


class TestSpringForward:
    def test_the_skipped_hour_has_no_rows(self, world, admin_as):
        night_shift(world.doctor, day=SPRING_FORWARD)
        response = schedule(admin_as(world.staff), SPRING_FORWARD)
        assert response.context["slots"] == [
            "00:00", "00:30", "01:00", "01:30", "03:00", "03:30", "04:00", "04:30", "05:00", "05:30",
        ]  # fmt: skip
        assert response.context["grid_height"] == 10 * ROW
        assert "The clocks go forward this day" in response.content.decode()

    def test_a_visit_across_the_change_is_as_tall_as_it_lasts(self, world, admin_as):
        night_shift(world.doctor, day=SPRING_FORWARD)
        visit = AppointmentFactory(
            doctor=world.doctor, client=world.client, starts_at=at(SPRING_FORWARD, 1, 30), duration_minutes=60
        )
        assert timezone.localtime(visit.ends_at).time() == time(3, 30)  # one real hour
        TimeOff.objects.create(
            doctor=world.doctor, starts_at=at(SPRING_FORWARD, 4), ends_at=at(SPRING_FORWARD, 5)
        )
        response = schedule(admin_as(world.staff), SPRING_FORWARD)
        column = column_of(response, world.doctor)
        [block] = column.appointments
        assert (block.top, block.height, block.time) == (3 * ROW + 1, 2 * ROW - 3, f"01:30{DASH}03:30")
        assert row_of(response, block) == "01:30"
        [time_off] = [shade for shade in column.shaded if shade.css == "time-off"]
        assert (time_off.top, time_off.height, time_off.label) == (
            6 * ROW,
            2 * ROW,
            f"Time off 04:00{DASH}05:00",
        )
        assert [slot.time for slot in column.free] == ["00:00", "00:30", "01:00", "03:30", "05:00", "05:30"]


class TestFallBack:
    def test_the_repeated_hours_rows_come_twice_with_their_offsets(self, world, admin_as):
        night_shift(world.doctor, day=FALL_BACK)
        response = schedule(admin_as(world.staff), FALL_BACK)
        assert response.context["slots"] == [
            "00:00", "00:30", "01:00", "01:30",
            "02:00 (UTC+2)", "02:30 (UTC+2)", "02:00 (UTC+1)", "02:30 (UTC+1)",
            "03:00", "03:30", "04:00", "04:30", "05:00", "05:30",
        ]  # fmt: skip
        html = response.content.decode()
        assert "02:00 (UTC+2)" in html and "02:00 (UTC+1)" in html
        assert "The clocks go back this day" in html

    def test_two_visits_at_the_same_wall_clock_time_are_on_different_rows(self, world, admin_as):
        night_shift(world.doctor, world.other_doctor, day=FALL_BACK)
        first = AppointmentFactory(doctor=world.doctor, client=world.client, starts_at=at(FALL_BACK, 2, 15))
        second = AppointmentFactory(
            doctor=world.doctor, client=world.other_client, starts_at=at(FALL_BACK, 2, 15, fold=1)
        )
        assert second.starts_at - first.starts_at == timedelta(hours=1)
        across = AppointmentFactory(  # 01:30 summer time to 02:30 winter time: two real hours
            doctor=world.other_doctor,
            client=ClientFactory(),
            starts_at=at(FALL_BACK, 1, 30),
            duration_minutes=120,
        )
        response = schedule(admin_as(world.staff), FALL_BACK)
        blocks = {block.pk: block for block in column_of(response, world.doctor).appointments}
        assert row_of(response, blocks[first.pk]) == "02:00 (UTC+2)"
        assert row_of(response, blocks[second.pk]) == "02:00 (UTC+1)"
        assert blocks[second.pk].top - blocks[first.pk].top == 2 * ROW
        assert blocks[first.pk].time == f"02:15 (UTC+2){DASH}02:45 (UTC+2)"
        assert blocks[second.pk].time == f"02:15 (UTC+1){DASH}02:45 (UTC+1)"
        [long] = column_of(response, world.other_doctor).appointments
        assert (long.pk, long.top, long.height) == (across.pk, 3 * ROW + 1, 4 * ROW - 3)
        assert long.time == f"01:30{DASH}02:30 (UTC+1)"

    def test_a_free_slot_of_the_repeated_hour_books_that_instant(self, world, admin_as):
        night_shift(world.doctor, day=FALL_BACK)
        desk = admin_as(world.staff)
        free = column_of(schedule(desk, FALL_BACK), world.doctor).free
        slots = {slot.time: slot for slot in free}
        summer, winter = slots["02:00 (UTC+2)"], slots["02:00 (UTC+1)"]
        assert parse_qs(urlsplit(summer.url).query)["starts_at"] == ["2030-10-27T02:00+02:00"]
        query = parse_qs(urlsplit(winter.url).query)
        assert query["starts_at"] == ["2030-10-27T02:00+01:00"]

        page = desk.get(ADD, {key: value[0] for key, value in query.items()})
        assert page.context["adminform"].form.initial["starts_at"] == at(FALL_BACK, 2, fold=1)
        html = page.content.decode()
        assert 'name="starts_at_1" value="02:00"' in html
        assert '<input type="hidden" name="starts_at_2" value="+01:00"' in html

        data = {
            "client": world.client.pk, "doctor": world.doctor.pk, "starts_at_0": "2030-10-27",
            "starts_at_1": "02:00", "starts_at_2": "+01:00", "duration_minutes": 30, "reason": "",
            "notes": "", "_save": "Save",
        }  # fmt: skip
        response = desk.post(f"{ADD}?{page.request['QUERY_STRING']}", data)
        assert response.status_code == 302, response.content.decode()[:3000]
        booked = Appointment.objects.get(client=world.client)
        assert (
            booked.starts_at == at(FALL_BACK, 2, fold=1) == datetime(2030, 10, 27, 1, tzinfo=ZoneInfo("UTC"))
        )

    def test_a_typed_time_of_the_repeated_hour_without_its_offset_is_refused(self, world, admin_as):
        night_shift(world.doctor, day=FALL_BACK)
        data = {
            "client": world.client.pk, "doctor": world.doctor.pk, "starts_at_0": "2030-10-27",
            "starts_at_1": "02:00", "duration_minutes": 30, "reason": "", "notes": "",
        }  # fmt: skip
        response = admin_as(world.staff).post(ADD, data)
        assert response.status_code == 200
        assert "may be ambiguous" in response.content.decode()
        assert not Appointment.objects.exists()

    def test_a_visit_of_the_repeated_hour_saves_unchanged_from_its_page(self, world, admin_as):
        night_shift(world.doctor, day=FALL_BACK)
        visit = AppointmentFactory(
            doctor=world.doctor, client=world.client, starts_at=at(FALL_BACK, 2, 30, fold=1)
        )
        desk = admin_as(world.staff)
        change = f"/admin/scheduling/appointment/{visit.pk}/change/"
        assert 'name="starts_at_2" value="+01:00"' in desk.get(change).content.decode()
        data = {
            "doctor": world.doctor.pk, "starts_at_0": "2030-10-27", "starts_at_1": "02:30",
            "starts_at_2": "+01:00", "duration_minutes": 30, "reason": "Knee", "notes": "", "_save": "Save",
        }  # fmt: skip
        assert desk.post(change, data).status_code == 302
        visit.refresh_from_db()
        assert (visit.starts_at, visit.reason) == (at(FALL_BACK, 2, 30, fold=1), "Knee")

    def test_the_printed_schedule_tells_the_two_hours_apart(self, world, admin_as):
        night_shift(world.doctor, day=FALL_BACK)
        AppointmentFactory(doctor=world.doctor, client=world.client, starts_at=at(FALL_BACK, 2, 15))
        AppointmentFactory(
            doctor=world.doctor, client=world.other_client, starts_at=at(FALL_BACK, 2, 15, fold=1)
        )
        response = admin_as(world.staff).get(PDF, {"date": FALL_BACK.isoformat()})
        pages = PdfReader(io.BytesIO(response.content)).pages
        text = " ".join(" ".join(page.extract_text() for page in pages).split())  # lines wrap in the column
        summer = f"02:15 (UTC+2){DASH}02:45 (UTC+2)"
        winter = f"02:15 (UTC+1){DASH}02:45 (UTC+1)"
        assert summer in text and winter in text, text
        assert text.index(summer) < text.index(winter)


def test_a_visit_shows_its_types_colour_kind_and_buffer_bands(world, admin_as):
    day = timezone.localdate() + timedelta(days=1)
    WorkingHours.objects.create(doctor=world.doctor, weekday=day.weekday(), start=time(9), end=time(12))
    kind = AppointmentTypeFactory(
        name="Physio", color="#aa3377", buffer_before_minutes=10, buffer_after_minutes=15, duration_minutes=30
    )
    room = RoomFactory(name="Room 2")
    visit = AppointmentFactory(
        doctor=world.doctor, client=world.client, starts_at=at(day, 10), appointment_type=kind, room=room
    )
    response = schedule(admin_as(world.staff), day)
    column = column_of(response, world.doctor)
    [block] = column.appointments
    assert (block.pk, block.color, block.kind) == (visit.pk, "#aa3377", "Physio · Room 2")
    before, after = column.buffers
    assert (before.title, before.top, before.height) == ("Buffer 10 min", 50 * ROW // 30, 10 * ROW // 30)
    assert (after.title, after.top, after.height) == ("Buffer 15 min", 90 * ROW // 30, 15 * ROW // 30)
    html = response.content.decode()
    assert 'class="visit typed"' in html and "--type: #aa3377" in html
    assert 'title="Buffer 10 min"' in html and 'title="Buffer 15 min"' in html
    assert "Physio · Room 2" in html
    # The buffers keep the doctor's time: no booking link over them.
    assert [slot.time for slot in column.free] == ["09:00", "11:00", "11:30"]
