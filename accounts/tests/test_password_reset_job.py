"""Password reset answers at once; a worker looks the account up and sends the
link (API.md, "Auth"). Racing uses of one link and the password-change limit."""

import re

import pytest
from django.core import mail
from django.db import connection

from accounts.models import AuditEvent, User
from accounts.tests import jobs
from accounts.tests.factories import PASSWORD, UserFactory
from config.tests.concurrency import run_concurrently

LINK = re.compile(r"uid=(?P<uid>[\w-]+)&token=(?P<token>[\w-]+)")
NEW_PASSWORD = "a-brand-new-passphrase-42"


def ask_for_reset(api, email, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return api().post("/api/v1/auth/password/reset", {"email": email})


@pytest.mark.django_db
def test_known_and_unknown_emails_get_the_same_answer_and_one_job(
    api, world, django_capture_on_commit_callbacks
):
    answers = []
    for email in (world.patient.email, "nobody@clinic.test"):
        response = ask_for_reset(api, email, django_capture_on_commit_callbacks)
        assert mail.outbox == []  # nothing is sent inside the request
        assert jobs.queued_job_names() == ["accounts.tasks.send_password_reset"]
        job = jobs.queue().get_jobs()[0]
        assert email not in job.description
        assert job.args == ()
        answers.append((response.status_code, response.content))
        jobs.queue().empty()
    assert answers[0] == answers[1]
    assert answers[0][0] == 202


@pytest.mark.django_db
def test_the_job_emails_a_real_account_once(api, world, django_capture_on_commit_callbacks, caplog):
    ask_for_reset(api, world.patient.email.upper(), django_capture_on_commit_callbacks)
    jobs.run_jobs()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [world.patient.email]
    assert mail.outbox[0].extra_headers["X-Clinic-Email"] == "password_reset"
    assert world.patient.email.upper() not in caplog.text
    assert jobs.queued_job_names() == []


@pytest.mark.django_db
def test_the_job_sends_nothing_for_an_unknown_email(api, world, django_capture_on_commit_callbacks, caplog):
    ask_for_reset(api, "nobody@clinic.test", django_capture_on_commit_callbacks)
    jobs.run_jobs()
    assert mail.outbox == []
    assert "nobody@clinic.test" not in caplog.text
    assert jobs.queue().failed_job_registry.count == 0


@pytest.mark.django_db
def test_password_change_is_limited_per_account(api, world, settings):
    settings.LOGIN_RATE = "2/m"
    client = api(world.patient)
    for _ in range(2):
        wrong = client.post(
            "/api/v1/auth/password/change", {"old_password": "nope", "new_password": NEW_PASSWORD}
        )
        assert wrong.status_code == 400
    response = client.post(
        "/api/v1/auth/password/change", {"old_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert 1 <= int(response["Retry-After"]) <= 60
    world.patient.refresh_from_db()
    assert world.patient.check_password(PASSWORD)
    other = api(world.other_patient).post(
        "/api/v1/auth/password/change", {"old_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    assert other.status_code == 204


@pytest.mark.django_db(transaction=True)
def test_racing_uses_of_one_reset_link_succeed_once(api, settings, django_capture_on_commit_callbacks):
    settings.FRONTEND_URL = "http://front.test"
    user = UserFactory()
    ask_for_reset(api, user.email, django_capture_on_commit_callbacks)
    jobs.run_jobs()
    link = LINK.search(mail.outbox[0].body).groupdict()
    connection.close()  # each thread opens its own connection

    def confirm(password):
        return lambda: api().post("/api/v1/auth/password/reset/confirm", {**link, "new_password": password})

    first, second = run_concurrently([confirm(NEW_PASSWORD), confirm("another-passphrase-77")])
    answers = sorted([first.status_code, second.status_code])
    assert answers == [204, 400]
    loser = first if first.status_code == 400 else second
    assert loser.json()["code"] == "invalid_token"
    winner_password = NEW_PASSWORD if first.status_code == 204 else "another-passphrase-77"
    assert User.objects.get(pk=user.pk).check_password(winner_password)
    assert AuditEvent.objects.filter(action="update", object_id=str(user.pk)).count() == 1
