"""Password reset by email (API.md, "Auth")."""

import re

import pytest
from django.core import mail

from accounts.models import User
from accounts.tests import jobs
from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-passphrase-42"
LINK = re.compile(r"http://front\.test/reset-password\?uid=(?P<uid>[\w-]+)&token=(?P<token>[\w-]+)")


@pytest.fixture(autouse=True)
def _frontend(settings):
    settings.FRONTEND_URL = "http://front.test"


def request_reset(api, email, django_capture_on_commit_callbacks):
    """Ask for a link, then let a worker run the job that sends it."""
    with django_capture_on_commit_callbacks(execute=True):
        response = api().post("/api/v1/auth/password/reset", {"email": email})
    jobs.run_jobs()
    return response


def reset_link(message) -> dict:
    match = LINK.search(message.body)
    assert match, message.body
    html = message.alternatives[0][0]
    assert match.group(0).replace("&", "&amp;") in html
    return match.groupdict()


def test_reset_email_holds_the_link_and_its_kind(api, world, django_capture_on_commit_callbacks):
    response = request_reset(api, world.patient.email.upper(), django_capture_on_commit_callbacks)
    assert response.status_code == 202
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [world.patient.email]
    assert message.extra_headers["X-Clinic-Email"] == "password_reset"
    assert message.message()["X-Clinic-Email"] == "password_reset"
    reset_link(message)


@pytest.mark.parametrize("case", ["unknown", "inactive"])
def test_reset_is_202_and_silent_for_an_unknown_or_inactive_email(
    api, world, case, django_capture_on_commit_callbacks
):
    email = "nobody@clinic.test"
    if case == "inactive":
        world.patient.is_active = False
        world.patient.save()
        email = world.patient.email
    response = request_reset(api, email, django_capture_on_commit_callbacks)
    assert response.status_code == 202
    assert mail.outbox == []


def test_confirm_sets_the_password_and_revokes_earlier_tokens(api, world, django_capture_on_commit_callbacks):
    signed_in = api(world.patient)
    request_reset(api, world.patient.email, django_capture_on_commit_callbacks)
    link = reset_link(mail.outbox[0])
    response = api().post("/api/v1/auth/password/reset/confirm", {**link, "new_password": NEW_PASSWORD})
    assert response.status_code == 204
    world.patient.refresh_from_db()
    assert world.patient.check_password(NEW_PASSWORD)
    assert signed_in.get("/api/v1/auth/me").status_code == 401
    again = api().post(
        "/api/v1/auth/password/reset/confirm", {**link, "new_password": "another-passphrase-77"}
    )
    assert again.status_code == 400
    assert again.json()["code"] == "invalid_token"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda link: {**link, "token": "bad-token"},
        lambda link: {**link, "uid": "MTIzNDU2Nzg"},
        lambda link: {**link, "uid": "!!!"},
        lambda link: {**link, "uid": "x"},
    ],
)
def test_confirm_with_a_bad_link_is_400_invalid_token(api, world, tamper, django_capture_on_commit_callbacks):
    request_reset(api, world.patient.email, django_capture_on_commit_callbacks)
    link = tamper(reset_link(mail.outbox[0]))
    response = api().post("/api/v1/auth/password/reset/confirm", {**link, "new_password": NEW_PASSWORD})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_token"
    world.patient.refresh_from_db()
    assert world.patient.check_password(PASSWORD)


def test_confirm_refuses_a_weak_password(api, world, django_capture_on_commit_callbacks):
    request_reset(api, world.patient.email, django_capture_on_commit_callbacks)
    link = reset_link(mail.outbox[0])
    response = api().post("/api/v1/auth/password/reset/confirm", {**link, "new_password": "12345678"})
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert "new_password" in response.json()["errors"]
    world.patient.refresh_from_db()
    assert world.patient.check_password(PASSWORD)


def test_reset_link_of_one_user_does_not_reset_another(api, world, django_capture_on_commit_callbacks):
    other = UserFactory()
    request_reset(api, world.patient.email, django_capture_on_commit_callbacks)
    link = reset_link(mail.outbox[0])
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    forged = {**link, "uid": urlsafe_base64_encode(force_bytes(other.pk))}
    response = api().post("/api/v1/auth/password/reset/confirm", {**forged, "new_password": NEW_PASSWORD})
    assert response.status_code == 400
    assert User.objects.get(pk=other.pk).check_password(PASSWORD)


def test_a_failing_mail_server_still_answers_202(
    api, world, settings, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    response = request_reset(api, world.patient.email, django_capture_on_commit_callbacks)
    assert response.status_code == 202
    assert "password reset email not sent" in caplog.text
    assert world.patient.email not in caplog.text
