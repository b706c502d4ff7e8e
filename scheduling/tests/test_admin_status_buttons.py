"""Status changes as buttons on the appointment page: only the transitions
open now, each through scheduling.services.change_status."""

import pytest
from django.db import connection

from accounts.models import AuditEvent
from scheduling.models import Appointment, Status
from scheduling.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


def status_url(appointment, action):
    return f"/admin/scheduling/appointment/{appointment.pk}/status/{action}/"


def buttons(page: str) -> set[str]:
    names = ("confirm", "check_in", "complete", "no_show", "cancel")
    return {action for action in names if f'id="status-{action}"' in page}


def test_a_scheduled_future_visit_offers_confirm_and_cancel_only(world, admin_as):
    visit = AppointmentFactory(doctor=world.doctor, client=world.client)
    page = admin_as(world.staff).get(f"/admin/scheduling/appointment/{visit.pk}/change/").content.decode()
    assert buttons(page) == {"confirm", "cancel"}
    # Cancel opens a short form first: an optional reason, then a second click.
    assert 'id="cancel-confirm"' in page and 'name="reason"' in page


def test_cancel_keeps_the_reason_encrypted_and_out_of_the_audit_row(world, admin_as):
    visit = AppointmentFactory(doctor=world.doctor, client=world.client)
    response = admin_as(world.staff).post(status_url(visit, "cancel"), {"reason": "  Flu, rebooking later "})
    assert response.status_code == 302
    visit.refresh_from_db()
    assert (visit.status, visit.cancel_reason) == (Status.CANCELLED, "Flu, rebooking later")
    stored = Appointment.objects.filter(pk=visit.pk).values_list("cancel_reason", flat=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT cancel_reason FROM scheduling_appointment WHERE id = %s", [visit.pk])
        assert "Flu" not in cursor.fetchone()[0]
    assert list(stored) == ["Flu, rebooking later"]
    event = AuditEvent.objects.get(object_type="appointment", object_id=str(visit.pk))
    assert event.fields == ["cancel_reason", "status"]  # sorted, names only


def test_cancel_without_a_reason_stores_none(world, admin_as):
    visit = AppointmentFactory(doctor=world.doctor, client=world.client)
    admin_as(world.staff).post(status_url(visit, "cancel"))
    visit.refresh_from_db()
    assert (visit.status, visit.cancel_reason) == (Status.CANCELLED, None)


def test_confirm_then_check_in_from_the_buttons(world, admin_as):
    visit = AppointmentFactory(doctor=world.doctor, client=world.client)
    desk = admin_as(world.staff)
    response = desk.post(status_url(visit, "confirm"))
    assert response.status_code == 302
    assert response["Location"] == f"/admin/scheduling/appointment/{visit.pk}/change/"
    visit.refresh_from_db()
    assert visit.status == Status.CONFIRMED
    assert AuditEvent.objects.filter(
        object_type="appointment", object_id=str(visit.pk), fields=["status"]
    ).exists()
    page = desk.get(f"/admin/scheduling/appointment/{visit.pk}/change/").content.decode()
    assert buttons(page) == {"check_in", "cancel"}
    desk.post(status_url(visit, "check_in"), {"next": "/admin/scheduling/appointment/day/?date=2026-12-04"})
    visit.refresh_from_db()
    assert visit.status == Status.CHECKED_IN


def test_the_button_returns_to_the_schedule_but_never_off_site(world, admin_as):
    visit = AppointmentFactory(doctor=world.doctor, client=world.client)
    desk = admin_as(world.staff)
    day = "/admin/scheduling/appointment/day/?date=2026-12-04"
    assert desk.post(status_url(visit, "confirm"), {"next": day})["Location"] == day
    away = desk.post(status_url(visit, "cancel"), {"next": "https://evil.example/"})
    assert away["Location"] == f"/admin/scheduling/appointment/{visit.pk}/change/"


def test_a_transition_not_open_is_refused_in_words_and_changes_nothing(world, admin_as):
    visit = AppointmentFactory(doctor=world.doctor, client=world.client)
    response = admin_as(world.staff).post(status_url(visit, "complete"), follow=True)
    assert "Cannot complete a scheduled appointment." in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == Status.SCHEDULED


def test_only_post_and_only_the_visits_one_may_see(world, admin_as):
    visit = AppointmentFactory(doctor=world.doctor, client=world.client)
    assert admin_as(world.staff).get(status_url(visit, "confirm")).status_code == 405
    other_doctor = admin_as(world.other_doctor).post(status_url(visit, "confirm"))
    assert other_doctor.status_code == 404  # not among the visits a doctor's admin shows them
    visit.refresh_from_db()
    assert visit.status == Status.SCHEDULED
    assert admin_as(world.staff).post(status_url(visit, "teleport")).status_code == 404


def test_the_patients_page_lists_their_visits_and_books_from_there(
    world, admin_as, django_assert_max_num_queries
):
    visits = [AppointmentFactory(doctor=world.doctor, client=world.client) for _ in range(3)]
    desk = admin_as(world.staff)
    page = desk.get(f"/admin/clinic/client/{world.client.pk}/change/").content.decode()
    assert f'href="/admin/scheduling/appointment/add/?client={world.client.pk}"' in page
    for visit in visits:
        assert f"/admin/scheduling/appointment/{visit.pk}/change/" in page
    assert world.doctor.full_name in page
    for _ in range(5):
        AppointmentFactory(doctor=world.doctor, client=world.client)
    with django_assert_max_num_queries(40) as captured:
        desk.get(f"/admin/clinic/client/{world.client.pk}/change/")
    queries_for_8 = len(captured)
    for _ in range(8):
        AppointmentFactory(doctor=world.doctor, client=world.client)
    with django_assert_max_num_queries(queries_for_8):
        desk.get(f"/admin/clinic/client/{world.client.pk}/change/")  # flat in the number of visits
    form = desk.get(f"/admin/scheduling/appointment/add/?client={world.client.pk}").content.decode()
    assert f'<option value="{world.client.pk}" selected>' in form


def test_a_visit_reads_as_names_on_its_page_and_no_name_reaches_djangos_log(world, admin_as):
    from django.contrib.admin.models import LogEntry

    world.client.first_name, world.client.last_name = "Chloe", "Rossi"
    world.client.save()
    visit = AppointmentFactory(doctor=world.doctor, client=world.client)
    desk = admin_as(world.staff)
    page = desk.get(f"/admin/scheduling/appointment/{visit.pk}/change/").content.decode()
    assert f"Chloe Rossi with {world.doctor.full_name}, " in page
    desk.post(status_url(visit, "confirm"))
    admin_as(world.admin).post(f"/admin/scheduling/appointment/{visit.pk}/delete/", {"post": "yes"})
    assert not LogEntry.objects.filter(object_repr__contains="Rossi").exists()


def test_the_audit_list_links_to_the_objects_and_filters_by_actor(world, admin_client):
    visit = AppointmentFactory(doctor=world.doctor, client=world.client)
    admin_client.post(status_url(visit, "confirm"), follow=True)  # its message (with names) shown there
    page = admin_client.get(
        "/admin/accounts/auditevent/", {"actor__id__exact": world.admin.pk}
    ).content.decode()
    assert f'<a href="/admin/scheduling/appointment/{visit.pk}/change/">appointment #{visit.pk}</a>' in page
    assert "actor__id__exact" in page
    assert world.client.last_name not in page
