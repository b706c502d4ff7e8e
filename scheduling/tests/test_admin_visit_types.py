"""The admin: the booking form takes a visit type and a room under the API's
rules; admins manage types and rooms (archived, never deleted); the day
schedule shows a visit's type and room and keeps its buffers busy."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from scheduling.models import Appointment, AppointmentType, Room, WorkingHours
from scheduling.selectors import local_moment
from scheduling.tests.factories import AppointmentFactory, AppointmentTypeFactory, RoomFactory, next_slot

pytestmark = pytest.mark.django_db
ADD = "/admin/scheduling/appointment/add/"
TYPES, ROOMS = "/admin/scheduling/appointmenttype/", "/admin/scheduling/room/"


def form(world, start, **extra):
    local = timezone.localtime(start)
    return {
        "client": world.client.pk,
        "doctor": world.doctor.pk,
        "starts_at_0": local.date().isoformat(),
        "starts_at_1": local.time().isoformat(),
        "duration_minutes": "",
        "appointment_type": "",
        "room": "",
        "reason": "Check-up",
        "notes": "",
        **extra,
    }


def errors(response) -> str:
    assert response.status_code == 200
    return " ".join(str(e) for e in response.context["adminform"].form.non_field_errors())


class TestTheBookingForm:
    def test_it_books_a_type_in_a_room_with_the_types_length(self, world, admin_as):
        visit_type, room = AppointmentTypeFactory(duration_minutes=50, buffer_after_minutes=10), RoomFactory()
        start = next_slot()
        response = admin_as(world.staff).post(
            ADD, form(world, start, appointment_type=visit_type.pk, room=room.pk)
        )
        assert response.status_code == 302
        visit = Appointment.objects.get()
        assert (visit.appointment_type, visit.room, visit.duration_minutes) == (visit_type, room, 50)
        assert (visit.buffer_after_minutes, visit.created_by) == (10, world.staff)

    def test_without_a_type_or_a_duration_a_visit_lasts_30_minutes(self, world, admin_as):
        assert admin_as(world.staff).post(ADD, form(world, next_slot())).status_code == 302
        assert Appointment.objects.get().duration_minutes == 30

    def test_a_type_that_needs_a_room_without_one_is_a_form_error(self, world, admin_as):
        procedure = AppointmentTypeFactory(requires_room=True)
        response = admin_as(world.staff).post(ADD, form(world, next_slot(), appointment_type=procedure.pk))
        assert "This visit type needs a room." in errors(response)
        assert not Appointment.objects.exists()

    def test_a_taken_room_names_the_visit_and_the_rooms_next_free_time(self, world, admin_as):
        start, room = next_slot(days=2), RoomFactory(name="Room 7")
        for weekday in range(7):
            WorkingHours.objects.create(doctor=world.doctor, weekday=weekday, start=time(8), end=time(18))
        world.other_client.first_name, world.other_client.last_name = "Chloe", "Rossi"
        world.other_client.save()
        AppointmentFactory(doctor=world.other_doctor, client=world.other_client, starts_at=start, room=room)
        response = admin_as(world.staff).post(ADD, form(world, start, room=room.pk))
        text = errors(response)
        free = timezone.localtime(start + timedelta(minutes=30))
        assert "The room already has a visit at that time." in text
        assert f"It clashes with Chloe Rossi with {world.other_doctor.full_name}, " in text
        assert f"The next free 30 minutes in Room 7: {free:%a} {free.day} {free:%b %H:%M}." in text
        assert Appointment.objects.count() == 1

    def test_a_buffer_clash_names_the_visit_holding_the_time(self, world, admin_as):
        start = next_slot(days=2)
        cleanup = AppointmentTypeFactory(buffer_after_minutes=15)
        AppointmentFactory(
            doctor=world.doctor, client=world.other_client, starts_at=start, appointment_type=cleanup
        )
        response = admin_as(world.staff).post(ADD, form(world, start + timedelta(minutes=40)))
        text = errors(response)
        assert "The doctor already has an appointment at that time." in text
        assert "It clashes with" in text

    def test_only_active_types_and_rooms_are_offered_and_a_visit_keeps_its_own(self, world, admin_as):
        active, archived = AppointmentTypeFactory(), AppointmentTypeFactory(active=False)
        room, old_room = RoomFactory(), RoomFactory(active=False)
        page = admin_as(world.staff).get(ADD)
        offered = page.context["adminform"].form.fields
        assert list(offered["appointment_type"].queryset) == [active]
        assert list(offered["room"].queryset) == [room]
        visit = AppointmentFactory(
            doctor=world.doctor, client=world.client, appointment_type=archived, room=old_room
        )
        change = admin_as(world.staff).get(f"/admin/scheduling/appointment/{visit.pk}/change/")
        fields = change.context["adminform"].form.fields
        assert set(fields["appointment_type"].queryset) == {active, archived}
        assert set(fields["room"].queryset) == {room, old_room}

    def test_changing_the_type_in_the_admin_brings_its_length(self, world, admin_as):
        visit = AppointmentFactory(doctor=world.doctor, client=world.client, starts_at=next_slot())
        longer = AppointmentTypeFactory(duration_minutes=45)
        data = form(world, visit.starts_at, appointment_type=longer.pk)
        response = admin_as(world.staff).post(f"/admin/scheduling/appointment/{visit.pk}/change/", data)
        assert response.status_code == 302
        visit.refresh_from_db()
        assert (visit.appointment_type, visit.duration_minutes) == (longer, 45)


class TestTypesAndRoomsPages:
    def test_an_admin_adds_and_changes_a_type_through_the_catalog(self, world, admin_client):
        data = {
            "name": "Check-up", "duration_minutes": 20, "buffer_before_minutes": 0, "buffer_after_minutes": 5,
            "color": "#336699", "patient_bookable": "on", "active": "on",
        }  # fmt: skip
        assert admin_client.post(f"{TYPES}add/", data).status_code == 302
        visit_type = AppointmentType.objects.get()
        assert (visit_type.duration_minutes, visit_type.requires_room) == (20, False)
        data["requires_room"] = "on"
        assert admin_client.post(f"{TYPES}{visit_type.pk}/change/", data).status_code == 302
        visit_type.refresh_from_db()
        assert visit_type.requires_room
        events = AuditEvent.objects.filter(object_type="appointmenttype").order_by("id")
        assert [(e.action, e.fields) for e in events] == [("create", []), ("update", ["requires_room"])]

    def test_a_bad_colour_is_a_form_error(self, world, admin_client):
        response = admin_client.post(f"{TYPES}add/", {"name": "X", "duration_minutes": 20, "color": "blue"})
        assert response.status_code == 200
        assert "color" in response.context["adminform"].form.errors

    def test_archive_instead_of_delete(self, world, admin_client):
        visit_type, room = AppointmentTypeFactory(), RoomFactory()
        AppointmentFactory(doctor=world.doctor, client=world.client, appointment_type=visit_type, room=room)
        for url, row in ((TYPES, visit_type), (ROOMS, room)):
            page = admin_client.get(url)
            assert "delete_selected" not in page.content.decode()
            assert admin_client.get(f"{url}{row.pk}/delete/").status_code == 403
            response = admin_client.post(url, {"action": "archive_selected", "_selected_action": [row.pk]})
            assert response.status_code == 302
            row.refresh_from_db()
            assert row.active is False
        assert Appointment.objects.filter(appointment_type=visit_type, room=room).exists()

    def test_an_admin_adds_a_room(self, world, admin_client):
        assert admin_client.post(f"{ROOMS}add/", {"name": "Room 1", "active": "on"}).status_code == 302
        assert Room.objects.get().name == "Room 1"

    @pytest.mark.parametrize("role", ["staff", "doctor"])
    def test_staff_and_doctors_do_not_manage_them(self, world, admin_as, role):
        browser = admin_as(world.user(role))
        assert browser.get(TYPES).status_code == 403
        assert browser.get(f"{ROOMS}add/").status_code == 403


def test_the_day_schedule_names_type_and_room_and_keeps_buffers_busy(world, admin_as):
    day = timezone.localdate() + timedelta(days=1)
    WorkingHours.objects.create(doctor=world.doctor, weekday=day.weekday(), start=time(8), end=time(12))
    visit_type = AppointmentTypeFactory(name="Vaccination", color="#e0a03c", buffer_after_minutes=15)
    room = RoomFactory(name="Room 2")
    AppointmentFactory(
        doctor=world.doctor, client=world.client, starts_at=local_moment(day, time(9)),
        appointment_type=visit_type, room=room,
    )  # fmt: skip
    response = admin_as(world.staff).get("/admin/scheduling/appointment/day/", {"date": day.isoformat()})
    column = next(c for c in response.context["columns"] if c.doctor.pk == world.doctor.pk)
    [block] = column.appointments
    assert (block.kind, block.color) == ("Vaccination · Room 2", "#e0a03c")
    assert "Vaccination · Room 2" in block.title
    free = {block.time for block in column.free}
    assert "09:30" not in free and "10:00" in free  # 09:30-09:45 is the visit's buffer
    html = response.content.decode()
    assert 'class="visit typed"' in html and "--type: #e0a03c" in html  # the type's stripe
    assert 'title="Buffer 15 min"' in html
