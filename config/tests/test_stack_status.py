import pytest
from rest_framework.test import APIClient

from config.tests.live import queue_status, rq_worker, stack_status, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def test_stack_status_is_zero_when_everything_runs():
    with rq_worker():
        assert wait_until(lambda: queue_status(APIClient())[0] == 200, seconds=30)
        result = stack_status()
    assert result.returncode == 0, result.stdout
    assert "postgres" in result.stdout and "scheduler" in result.stdout


def test_stack_status_is_nonzero_without_a_worker():
    result = stack_status()
    assert result.returncode == 1
    assert "FAIL workers" in result.stdout


def test_stack_status_is_nonzero_with_redis_stopped(tmp_path):
    result = stack_status(REDIS_URL=f"unix://{tmp_path}/stopped.sock?db=0")
    assert result.returncode == 1
    assert "redis" in result.stdout and "UNREACHABLE" in result.stdout


def test_stack_status_flags_overdue_and_failed_reminders(world):
    from datetime import timedelta

    from django.utils import timezone

    from scheduling.models import Reminder, ReminderStatus
    from scheduling.tests.factories import AppointmentFactory

    appointment = AppointmentFactory(client=world.client, doctor=world.doctor)
    Reminder.objects.create(
        appointment=appointment,
        offset_minutes=120,
        scheduled_for=timezone.now() - timedelta(hours=1),
        status=ReminderStatus.PENDING,
    )
    with rq_worker():
        assert wait_until(lambda: queue_status(APIClient())[0] == 200, seconds=30)
        result = stack_status()
    assert result.returncode == 1
    assert "FAIL reminders" in result.stdout
    assert "1 overdue" in result.stdout
