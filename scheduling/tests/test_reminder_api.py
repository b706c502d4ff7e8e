"""GET /api/v1/appointments/{id}/reminders, and reminders in the admin."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.tests.factories import AdminFactory
from scheduling.models import Reminder
from scheduling.reminders.services import send_now
from scheduling.tests.factories import AppointmentFactory
from scheduling.tests.reminder_support import book, run_worker, scheduled_jobs


class SuperuserFactory(AdminFactory):
    is_superuser = True


VISIBLE = {
    "admin": 200,
    "staff": 200,
    "doctor": 200,
    "other_doctor": 404,
    "patient": 403,
    "other_patient": 403,
}


@pytest.fixture
def appointment(world, settings, django_capture_on_commit_callbacks):
    settings.REMINDER_OFFSETS_MINUTES = [1440, 120]
    with django_capture_on_commit_callbacks(execute=True):
        return book(starts_in=timedelta(hours=3), client=world.client, doctor=world.doctor)


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "status"), VISIBLE.items())
def test_reminders_endpoint_per_role(api, world, appointment, role, status):
    response = api(world.user(role)).get(f"/api/v1/appointments/{appointment.pk}/reminders")
    assert response.status_code == status
    if status == 200:

        def as_json(when):
            return when.isoformat().replace("+00:00", "Z")

        assert response.json() == [
            {"kind": kind, "scheduled_for": as_json(r.scheduled_for), "status": state, "sent_at": None}
            for kind, state, r in (
                ("1440m", "skipped", appointment.reminders.get(offset_minutes=1440)),
                ("120m", "pending", appointment.reminders.get(offset_minutes=120)),
            )
        ]
    else:
        assert response.json()["code"] == {403: "permission_denied", 404: "not_found"}[status]
    assert Reminder.objects.filter(appointment=appointment).count() == 2


@pytest.mark.django_db
def test_reminders_endpoint_anonymous_and_unknown(api, world, appointment):
    anonymous = api().get(f"/api/v1/appointments/{appointment.pk}/reminders/")
    # 401 once the token authentication is installed; 403 while no authenticator is configured.
    assert (anonymous.status_code, anonymous.json()["code"]) in {
        (401, "not_authenticated"),
        (403, "permission_denied"),
    }
    missing = api(world.admin).get("/api/v1/appointments/999999/reminders")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


@pytest.mark.django_db
def test_reminders_endpoint_query_count_does_not_grow(api, world, settings, django_assert_max_num_queries):
    settings.REMINDER_OFFSETS_MINUTES = [10080, 4320, 1440, 120, 60, 30]
    appointment = book(starts_in=timedelta(days=8), client=world.client, doctor=world.doctor)
    with django_assert_max_num_queries(2):
        response = api(world.admin).get(f"/api/v1/appointments/{appointment.pk}/reminders")
    assert response.status_code == 200 and len(response.json()) == 6


@pytest.mark.django_db(transaction=True)
def test_admin_send_now_enqueues_through_the_same_job(client, world, settings):
    settings.REMINDER_OFFSETS_MINUTES = [1440]
    appointment = book(starts_in=timedelta(days=3), client=world.client, doctor=world.doctor)
    reminder = appointment.reminders.get()
    old_job = reminder.job_id
    superuser = SuperuserFactory()
    client.force_login(superuser)

    response = client.post(
        "/admin/scheduling/reminder/",
        {"action": "send_selected_now", "_selected_action": [reminder.pk]},
    )
    assert response.status_code == 302
    assert old_job not in scheduled_jobs()
    run_worker()

    reminder.refresh_from_db()
    assert reminder.status == "sent" and reminder.sent_at <= timezone.now()
    listing = client.get("/admin/scheduling/reminder/?status__exact=sent")
    assert listing.status_code == 200 and b"1440m" in listing.content


@pytest.mark.django_db
@pytest.mark.parametrize(("superuser", "status"), [(True, 200), (False, 302)])
def test_rq_dashboard_is_for_superusers_only(client, world, superuser, status):
    user = SuperuserFactory() if superuser else world.admin  # world.admin: is_staff, not superuser
    client.force_login(user)
    assert client.get("/admin/django_rq/dashboard/").status_code == status
    index = client.get("/admin/")
    assert index.status_code == 200
    assert (b"/admin/django_rq/dashboard/" in index.content) is superuser


@pytest.mark.django_db
def test_reminder_admin_lists_without_n_plus_one(client, world, django_assert_max_num_queries):
    for _ in range(5):
        Reminder.objects.create(
            appointment=AppointmentFactory(client=world.client, doctor=world.doctor),
            offset_minutes=120,
            scheduled_for=timezone.now(),
        )
    client.force_login(SuperuserFactory())
    with django_assert_max_num_queries(8):
        assert client.get("/admin/scheduling/reminder/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_send_now_resends_a_failed_reminder_but_never_a_sent_one(world, settings):
    settings.REMINDER_OFFSETS_MINUTES = [1440]
    appointment = book(starts_in=timedelta(days=3), client=world.client, doctor=world.doctor)
    reminder = appointment.reminders.get()
    Reminder.objects.filter(pk=reminder.pk).update(status="failed", last_error="missed")
    reminder.refresh_from_db()

    assert send_now(reminder) is True
    run_worker()
    reminder.refresh_from_db()
    assert (reminder.status, reminder.last_error) == ("sent", "")

    assert send_now(reminder) is False
    run_worker()
    assert [m.extra_headers["X-Clinic-Email"] for m in mail.outbox].count("reminder") == 1
