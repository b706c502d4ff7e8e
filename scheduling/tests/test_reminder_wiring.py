"""The API's writes drive the reminder rows and their RQ jobs (through the services)."""

from datetime import timedelta

import pytest
import redis.client
from rq.registry import ScheduledJobRegistry

from scheduling.models import Reminder, ReminderStatus
from scheduling.reminders.services import get_queue
from scheduling.tests.factories import next_slot
from scheduling.tests.helpers import booking

pytestmark = pytest.mark.django_db(transaction=True)  # RQ work happens on commit
URL = "/api/v1/appointments/"


def scheduled_job_ids() -> set[str]:
    queue = get_queue()
    return set(ScheduledJobRegistry(queue.name, connection=queue.connection).get_job_ids())


def test_booking_schedules_one_reminder_per_offset_with_its_job(world, api, settings):
    start = next_slot(days=3)
    response = api(world.staff).post(URL, booking(world, start), format="json")
    assert response.status_code == 201
    rows = Reminder.objects.filter(appointment_id=response.json()["id"]).order_by("scheduled_for")
    assert [r.scheduled_for for r in rows] == [
        start - timedelta(minutes=m) for m in sorted(settings.REMINDER_OFFSETS_MINUTES, reverse=True)
    ]
    assert {r.status for r in rows} == {ReminderStatus.PENDING}
    assert {r.job_id for r in rows} <= scheduled_job_ids()


def test_booking_sends_its_jobs_in_one_transaction_on_one_kept_connection(world, api, monkeypatch):
    """Reminders and the confirmation email: one MULTI/EXEC, on the process's
    client (no new connection per enqueue)."""
    queue, pipelines = get_queue(), []
    execute = redis.client.Pipeline.execute

    def recording(pipe, *args, **kwargs):
        pipelines.append((pipe.connection_pool, [command[0][0] for command in pipe.command_stack]))
        return execute(pipe, *args, **kwargs)

    monkeypatch.setattr(redis.client.Pipeline, "execute", recording)
    response = api(world.staff).post(URL, booking(world, next_slot(days=3)), format="json")
    assert response.status_code == 201
    [(pool, commands)] = [(pool, commands) for pool, commands in pipelines if "ZADD" in commands]
    assert pool is queue.connection.connection_pool is get_queue().connection.connection_pool
    assert commands.count("ZADD") == 2 and commands.count("RPUSH") == 1  # two reminders, one email
    [email] = queue.get_jobs()
    assert email.func_name.endswith("send_confirmation_email") and email.args == (response.json()["id"],)


def test_rescheduling_moves_the_reminders_and_their_jobs(world, api):
    staff = api(world.staff)
    appointment_id = staff.post(URL, booking(world, next_slot(days=3)), format="json").json()["id"]
    old_jobs = set(Reminder.objects.filter(appointment_id=appointment_id).values_list("job_id", flat=True))
    new_start = next_slot(days=5)
    assert (
        staff.patch(f"{URL}{appointment_id}", {"starts_at": new_start.isoformat()}, format="json").status_code
        == 200
    )
    rows = Reminder.objects.filter(appointment_id=appointment_id, status=ReminderStatus.PENDING)
    assert {r.scheduled_for for r in rows} == {new_start - timedelta(minutes=m) for m in (1440, 120)}
    new_jobs = {r.job_id for r in rows}
    assert new_jobs <= scheduled_job_ids()
    assert not old_jobs & scheduled_job_ids()


def test_cancelling_cancels_the_reminders_and_their_jobs(world, api):
    staff = api(world.staff)
    appointment_id = staff.post(URL, booking(world, next_slot(days=3)), format="json").json()["id"]
    jobs = set(Reminder.objects.filter(appointment_id=appointment_id).values_list("job_id", flat=True))
    assert staff.post(f"{URL}{appointment_id}/cancel").status_code == 200
    assert set(Reminder.objects.filter(appointment_id=appointment_id).values_list("status", flat=True)) == {
        ReminderStatus.CANCELLED
    }
    assert not jobs & scheduled_job_ids()


def test_deleting_cancels_the_jobs(world, api):
    staff = api(world.staff)
    appointment_id = staff.post(URL, booking(world, next_slot(days=3)), format="json").json()["id"]
    jobs = set(Reminder.objects.filter(appointment_id=appointment_id).values_list("job_id", flat=True))
    assert api(world.admin).delete(f"{URL}{appointment_id}").status_code == 204
    assert not Reminder.objects.filter(appointment_id=appointment_id).exists()
    assert not jobs & scheduled_job_ids()
