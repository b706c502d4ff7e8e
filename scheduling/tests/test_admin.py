"""The admin books and changes appointments through the same services."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from scheduling.models import Appointment, Status, TimeOff, WorkingHours
from scheduling.tests.factories import AppointmentFactory, next_slot

pytestmark = pytest.mark.django_db
ADD = "/admin/scheduling/appointment/add/"


def form(world, start, **extra):
    local = timezone.localtime(start)
    return {
        "client": world.client.pk,
        "doctor": world.doctor.pk,
        "starts_at_0": local.date().isoformat(),
        "starts_at_1": local.time().isoformat(),
        "duration_minutes": 30,
        "reason": "Check-up",
        "notes": "",
        **extra,
    }


def test_booking_from_the_admin_goes_through_the_service(world, admin_client):
    response = admin_client.post(ADD, form(world, next_slot()))
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.created_by == world.admin
    assert AuditEvent.objects.filter(action="create", object_id=str(appointment.pk)).exists()


@pytest.mark.parametrize("problem", ["overlap", "past", "duration"])
def test_refusals_are_form_errors_not_500(world, admin_client, problem):
    start = next_slot()
    if problem == "overlap":
        AppointmentFactory(doctor=world.doctor, client=world.other_client, starts_at=start)
    data = form(world, start)
    if problem == "past":
        data = form(world, timezone.now() - timedelta(days=1))
    if problem == "duration":
        data["duration_minutes"] = 500
    response = admin_client.post(ADD, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert Appointment.objects.count() == (1 if problem == "overlap" else 0)


def test_list_and_change_pages_render(world, admin_client):
    appointment = AppointmentFactory(doctor=world.doctor, client=world.client)
    assert admin_client.get("/admin/scheduling/appointment/").status_code == 200
    assert admin_client.get(f"/admin/scheduling/appointment/{appointment.pk}/change/").status_code == 200
    assert admin_client.get(f"/admin/accounts/user/{world.doctor.pk}/change/").status_code == 200
    assert admin_client.get("/admin/scheduling/timeoff/").status_code == 200


def test_confirm_and_cancel_actions_report_each_failure(world, admin_client):
    fine = AppointmentFactory(doctor=world.doctor, client=world.client)
    done = AppointmentFactory(doctor=world.doctor, client=world.client, status=Status.COMPLETED)
    response = admin_client.post(
        "/admin/scheduling/appointment/",
        {"action": "confirm_selected", "_selected_action": [fine.pk, done.pk]},
        follow=True,
    )
    assert response.status_code == 200
    text = [str(m) for m in response.context["messages"]]
    assert any(m.startswith(f"{done}: Cannot confirm a completed appointment.") for m in text)
    assert f"Confirm: {fine}." in text
    fine.refresh_from_db()
    done.refresh_from_db()
    assert (fine.status, done.status) == (Status.CONFIRMED, Status.COMPLETED)


def test_working_hours_inline_on_the_doctor(world, admin_client):
    url = f"/admin/accounts/user/{world.doctor.pk}/change/"
    page = admin_client.get(url)
    assert b"working_hours-TOTAL_FORMS" in page.content
    patient_page = admin_client.get(f"/admin/accounts/user/{world.patient.pk}/change/")
    assert b"working_hours-TOTAL_FORMS" not in patient_page.content


def test_time_off_admin_deletes_through_the_service(world, admin_client):
    start = next_slot()
    period = TimeOff.objects.create(doctor=world.doctor, starts_at=start, ends_at=start + timedelta(hours=1))
    response = admin_client.post(f"/admin/scheduling/timeoff/{period.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not TimeOff.objects.exists()
    assert not WorkingHours.objects.exists()


def test_working_hours_inline_refuses_overlapping_blocks(world, admin_client):
    doctor = world.doctor
    data = {
        "username": doctor.username,
        "email": doctor.email,
        "full_name": doctor.full_name,
        "role": doctor.role,
        "is_active": "on",
        "working_hours-TOTAL_FORMS": 2,
        "working_hours-INITIAL_FORMS": 0,
    }
    for n, (start, end) in enumerate((("09:00", "12:00"), ("11:00", "13:00"))):
        data |= {
            f"working_hours-{n}-weekday": 0,
            f"working_hours-{n}-start": start,
            f"working_hours-{n}-end": end,
        }
    response = admin_client.post(f"/admin/accounts/user/{doctor.pk}/change/", data)
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.non_form_errors() == ["Monday: the blocks overlap."]
    assert not WorkingHours.objects.exists()


def test_an_overlap_names_the_visit_it_clashes_with_and_the_next_free_time(world, admin_client):
    start = next_slot(days=2)
    for weekday in range(7):
        WorkingHours.objects.create(doctor=world.doctor, weekday=weekday, start=time(8), end=time(18))
    world.other_client.first_name, world.other_client.last_name = "Chloe", "Rossi"
    world.other_client.save()
    AppointmentFactory(doctor=world.doctor, client=world.other_client, starts_at=start)
    response = admin_client.post(ADD, form(world, start))
    page = response.content.decode()
    assert response.status_code == 200
    free = timezone.localtime(start + timedelta(minutes=30))
    assert "The doctor already has an appointment at that time." in page
    assert f"It clashes with Chloe Rossi with {world.doctor.full_name}, " in page
    assert f"The next free 30 minutes: {free:%a} {free.day} {free:%b %H:%M}." in page
    assert Appointment.objects.filter(client=world.client).count() == 0
