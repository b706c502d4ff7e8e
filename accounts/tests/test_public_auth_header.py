"""The public auth endpoints ignore `Authorization`: a stale bearer left in a
client (revoked, expired or garbage) must not stand between a user and
signing in again (API.md, "Auth")."""

from datetime import timedelta

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts import tokens
from accounts.models import User
from accounts.tests import jobs
from accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-passphrase-42"


def revoked_bearer(api, user) -> str:
    """An access token its owner has logged out with: deny-listed."""
    pair = tokens.pair_for(user)
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair.access_token}")
    assert client.post("/api/v1/auth/logout", {"refresh_token": pair.refresh_token}).status_code == 204
    assert client.get("/api/v1/auth/me").status_code == 401
    return pair.access_token


def expired_bearer(api, user) -> str:
    token = tokens.AccessToken.for_user(user)
    token.set_exp(from_time=timezone.now() - timedelta(hours=1))
    return tokens.encrypt(token)


def garbage_bearer(api, user) -> str:
    return "not-a-token-at-all"


STALE_BEARERS = {"revoked": revoked_bearer, "expired": expired_bearer, "garbage": garbage_bearer}


@pytest.fixture(params=list(STALE_BEARERS))
def stale(request, api, world):
    """An anonymous client that still sends the patient's stale bearer."""
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {STALE_BEARERS[request.param](api, world.patient)}")
    return client


def signed_in_as(api, access_token: str) -> int:
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access_token}")
    response = client.get("/api/v1/auth/me")
    assert response.status_code == 200
    return response.json()["id"]


def test_login_ignores_a_stale_bearer(api, world, stale):
    response = stale.post("/api/v1/auth/login", {"username": world.patient.username, "password": PASSWORD})
    assert response.status_code == 200, response.content
    assert signed_in_as(api, response.json()["access_token"]) == world.patient.pk


def test_register_ignores_a_stale_bearer(api, world, stale):
    body = {"email": "new@clinic.test", "username": "newcomer", "password": NEW_PASSWORD}
    response = stale.post("/api/v1/auth/register", body)
    assert response.status_code == 201, response.content
    user = User.objects.get(username="newcomer")
    assert signed_in_as(api, response.json()["access_token"]) == user.pk


def test_refresh_ignores_a_stale_bearer(api, world, stale):
    refresh = tokens.pair_for(world.patient).refresh_token
    response = stale.post("/api/v1/auth/refresh", {"refresh_token": refresh})
    assert response.status_code == 200, response.content
    assert signed_in_as(api, response.json()["access_token"]) == world.patient.pk
    again = api().post("/api/v1/auth/refresh", {"refresh_token": refresh})  # rotated: works once
    assert again.status_code == 401
    assert again.json()["code"] == "token_not_valid"
    assert again["WWW-Authenticate"] == 'Bearer realm="api"'


def test_password_reset_ignores_a_stale_bearer(world, stale, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = stale.post("/api/v1/auth/password/reset", {"email": world.patient.email})
    assert response.status_code == 202, response.content
    jobs.run_jobs()
    assert [message.to for message in mail.outbox] == [[world.patient.email]]


def test_password_reset_confirm_ignores_a_stale_bearer(world, stale):
    link = {
        "uid": urlsafe_base64_encode(force_bytes(world.patient.pk)),
        "token": default_token_generator.make_token(world.patient),
    }
    response = stale.post("/api/v1/auth/password/reset/confirm", {**link, "new_password": NEW_PASSWORD})
    assert response.status_code == 204, response.content
    world.patient.refresh_from_db()
    assert world.patient.check_password(NEW_PASSWORD)


def test_a_wrong_password_with_a_stale_bearer_is_still_401_invalid_credentials(world, stale):
    response = stale.post("/api/v1/auth/login", {"username": world.patient.username, "password": "wrong"})
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"
