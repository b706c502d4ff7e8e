"""Logout while Redis is unreachable still revokes (API.md, "Auth"): the
access token cannot go on the deny-list, so every token of the user is
revoked in the database instead."""

from contextlib import contextmanager

import pytest
from django.conf import settings
from django.test import override_settings

from accounts.models import AuditAction, AuditEvent
from accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_down(tmp_path):
    """A context in which the cache points at a socket nobody listens on (the
    real client, failing); Redis is back when it ends."""

    @contextmanager
    def down():
        location = f"unix://{tmp_path}/nobody.sock?db=0"
        with override_settings(CACHES={"default": {**settings.CACHES["default"], "LOCATION": location}}):
            yield

    return down


def login(api, user) -> dict:
    response = api().post("/api/v1/auth/login", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 200
    return response.json()


def me(api, access_token: str):
    return api().get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Bearer {access_token}")


def refresh(api, refresh_token: str):
    return api().post("/api/v1/auth/refresh", {"refresh_token": refresh_token})


def assert_refused(response):
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_logout_without_redis_revokes_every_token_of_the_user(api, world, redis_down):
    session, other_session = login(api, world.patient), login(api, world.patient)
    with redis_down():
        response = api().post(
            "/api/v1/auth/logout",
            {"refresh_token": session["refresh_token"]},
            HTTP_AUTHORIZATION=f"Bearer {session['access_token']}",
        )
        assert response.status_code == 204
        assert_refused(me(api, session["access_token"]))  # the database's check
        assert_refused(me(api, other_session["access_token"]))
    world.patient.refresh_from_db()
    assert world.patient.tokens_valid_after is not None
    event = AuditEvent.objects.get(action=AuditAction.LOGOUT)
    assert event.actor == world.patient and event.fields == ["tokens_valid_after"]
    # Redis is back
    assert_refused(me(api, session["access_token"]))
    assert_refused(refresh(api, session["refresh_token"]))
    assert_refused(me(api, other_session["access_token"]))
    assert_refused(refresh(api, other_session["refresh_token"]))
    assert me(api, login(api, world.patient)["access_token"]).status_code == 200


def test_the_schema_says_what_logout_does_without_the_deny_list(client):
    schema = client.get("/api/schema/?format=json").json()
    description = schema["paths"]["/api/v1/auth/logout/"]["post"]["description"]
    assert "If the deny-list is unreachable, every token of the user is revoked." in description
