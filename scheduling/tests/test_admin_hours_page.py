"""The working-hours section of a doctor's user page and the time-off form,
as the front desk meets them (issue: the front desk's day in the admin)."""

import re
from datetime import time, timedelta

import pytest
from django.utils import timezone

from scheduling.models import TimeOff, WorkingHours

pytestmark = pytest.mark.django_db


def user_page(admin_client, doctor):
    return admin_client.get(f"/admin/accounts/user/{doctor.pk}/change/").content.decode()


def test_the_doctors_page_shows_their_existing_hours_with_day_names(world, admin_client):
    WorkingHours.objects.create(doctor=world.doctor, weekday=0, start=time(8), end=time(18))
    page = user_page(admin_client, world.doctor)
    assert re.search(r'name="working_hours-TOTAL_FORMS" value="1"', page)
    assert 'value="08:00:00"' in page or 'value="08:00"' in page
    assert '<option value="0" selected>Monday</option>' in page


def test_a_block_added_on_the_doctors_page_over_existing_hours_is_refused(world, admin_client):
    monday = WorkingHours.objects.create(doctor=world.doctor, weekday=0, start=time(8), end=time(18))
    page = user_page(admin_client, world.doctor)
    form = {name: value for name, value in re.findall(r'name="([^"]+)" value="([^"]*)"', page)}
    form.update(
        {
            "working_hours-TOTAL_FORMS": "2",
            "working_hours-0-id": str(monday.pk),
            "working_hours-0-doctor": str(world.doctor.pk),
            "working_hours-0-weekday": "0",
            "working_hours-0-start": "08:00",
            "working_hours-0-end": "18:00",
            "working_hours-1-doctor": str(world.doctor.pk),
            "working_hours-1-weekday": "0",
            "working_hours-1-start": "09:00",
            "working_hours-1-end": "12:00",
        }
    )
    response = admin_client.post(f"/admin/accounts/user/{world.doctor.pk}/change/", form)
    assert response.status_code == 200  # the page again, with the error
    assert "Monday: the blocks overlap." in response.content.decode()
    assert list(WorkingHours.objects.filter(doctor=world.doctor).values_list("start", flat=True)) == [time(8)]


def test_time_off_that_ends_before_it_starts_is_said_in_words_on_the_field(world, admin_client):
    start = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    response = admin_client.post(
        "/admin/scheduling/timeoff/add/",
        {
            "doctor": world.doctor.pk,
            "starts_at_0": start.strftime("%Y-%m-%d"),
            "starts_at_1": "12:00:00",
            "ends_at_0": start.strftime("%Y-%m-%d"),
            "ends_at_1": "09:00:00",
            "reason": "Conference",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Must be after starts_at (the start of the time off)." in page
    assert "time_off_ends_after_start" not in page and "Constraint" not in page
    assert not TimeOff.objects.exists()


def test_working_hours_list_filters_and_shows_weekdays_by_name(world, admin_client):
    WorkingHours.objects.create(doctor=world.doctor, weekday=2, start=time(8), end=time(12))
    page = admin_client.get("/admin/scheduling/workinghours/").content.decode()
    assert "Wednesday" in page and "?weekday=2" in page
    filtered = admin_client.get("/admin/scheduling/workinghours/?weekday=3").content.decode()
    assert "0 working hours" in filtered or "0 working hourss" in filtered


def test_time_off_lists_the_visits_it_covers_before_it_is_saved(world, admin_client):
    from scheduling.tests.factories import AppointmentFactory, next_slot

    start = next_slot(days=3, hour=10)
    world.client.first_name, world.client.last_name = "Chloe", "Rossi"
    world.client.save()
    AppointmentFactory(doctor=world.doctor, client=world.client, starts_at=start)
    local = timezone.localtime(start)
    form = {
        "doctor": world.doctor.pk,
        "starts_at_0": local.strftime("%Y-%m-%d"),
        "starts_at_1": "09:00:00",
        "ends_at_0": local.strftime("%Y-%m-%d"),
        "ends_at_1": "12:00:00",
        "reason": "Conference",
    }
    first = admin_client.post("/admin/scheduling/timeoff/add/", form)
    assert first.status_code == 200
    assert f"This time off covers 1 booked visit: Chloe Rossi with {world.doctor.full_name}, " in (
        first.content.decode()
    )
    assert not TimeOff.objects.exists()
    second = admin_client.post("/admin/scheduling/timeoff/add/", {**form, "save_anyway": "on"})
    assert second.status_code == 302
    assert TimeOff.objects.filter(doctor=world.doctor, reason="Conference").count() == 1
