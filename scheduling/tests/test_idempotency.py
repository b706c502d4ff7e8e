"""Idempotency-Key on booking and the actions."""

import pytest
from django.db import connection

from config.tests.concurrency import run_concurrently
from scheduling.models import Appointment, IdempotencyRecord
from scheduling.tests.factories import AppointmentFactory, next_slot
from scheduling.tests.helpers import booking

URL = "/api/v1/appointments/"


@pytest.mark.django_db
def test_repeat_returns_the_first_answer_and_books_once(world, api):
    payload = booking(world, next_slot())
    first = api(world.staff).post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = api(world.staff).post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Appointment.objects.count() == 1


@pytest.mark.django_db
def test_same_key_different_body_is_409(world, api):
    api(world.staff).post(URL, booking(world, next_slot()), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    response = api(world.staff).post(
        URL, booking(world, next_slot(days=2)), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_conflict"
    assert Appointment.objects.count() == 1


@pytest.mark.django_db
def test_keys_belong_to_their_caller(world, api):
    payload = booking(world, next_slot())
    api(world.staff).post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    response = api(world.admin).post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert response.status_code == 409
    assert response.json()["code"] == "slot_taken"


@pytest.mark.django_db
def test_an_error_answer_is_replayed_too(world, api):
    start = next_slot()
    AppointmentFactory(doctor=world.doctor, client=world.other_client, starts_at=start)
    payload = booking(world, start)
    first = api(world.staff).post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert first.status_code == 409
    Appointment.objects.all().delete()
    again = api(world.staff).post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert (again.status_code, again.json()) == (409, first.json())
    assert not Appointment.objects.exists()


@pytest.mark.django_db
def test_actions_replay_instead_of_409(world, api):
    appointment = AppointmentFactory(doctor=world.doctor, client=world.client)
    url = f"{URL}{appointment.pk}/confirm"
    first = api(world.staff).post(url, HTTP_IDEMPOTENCY_KEY="c-1")
    again = api(world.staff).post(url, HTTP_IDEMPOTENCY_KEY="c-1")
    without_key = api(world.staff).post(url)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert without_key.status_code == 409


@pytest.mark.django_db
def test_stored_answer_is_encrypted(world, api):
    api(world.staff).post(URL, booking(world, next_slot()), format="json", HTTP_IDEMPOTENCY_KEY="k-3")
    with connection.cursor() as cursor:
        cursor.execute("SELECT response_body FROM scheduling_idempotencyrecord")
        (stored,) = cursor.fetchone()
    assert "Headache" not in stored
    assert IdempotencyRecord.objects.get().response_status == 201


@pytest.mark.django_db
def test_an_expired_key_books_anew(world, api):
    from datetime import timedelta

    payload = booking(world, next_slot())
    api(world.staff).post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="k-4")
    IdempotencyRecord.objects.update(
        created_at=IdempotencyRecord.objects.get().created_at - timedelta(hours=25)
    )
    Appointment.objects.all().delete()
    response = api(world.staff).post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="k-4")
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert Appointment.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_racing_repeats_book_once(world, api):
    payload = booking(world, next_slot())

    def send():
        answer = api(world.staff).post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="race")
        return answer.status_code, answer.json()

    answers = run_concurrently([send] * 10)
    assert [status for status, _ in answers] == [201] * 10
    assert len({body["id"] for _, body in answers}) == 1
    assert Appointment.objects.count() == 1
