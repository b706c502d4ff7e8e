"""A used or logged-out refresh token presented again (API.md, "Auth"): it
leaked, so every token of its user is revoked and a `token_reuse` audit
event written; the answer stays 401 `token_not_valid`."""

import pytest

from accounts.models import AuditAction, AuditEvent
from accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def login(api, user) -> dict:
    response = api().post("/api/v1/auth/login", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 200
    return response.json()


def refresh(api, refresh_token: str):
    return api().post("/api/v1/auth/refresh", {"refresh_token": refresh_token})


def me(api, access_token: str):
    return api().get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Bearer {access_token}")


def assert_refused(response):
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_a_rotated_refresh_token_sent_again_revokes_every_token_of_its_user(api, world):
    first = login(api, world.patient)
    elsewhere = login(api, world.patient)
    assert_refused(refresh(api, "not-a-token"))  # a bad token is no reuse
    assert_refused(refresh(api, first["access_token"]))
    second = refresh(api, first["refresh_token"]).json()
    assert not AuditEvent.objects.filter(action=AuditAction.TOKEN_REUSE).exists()
    assert me(api, second["access_token"]).status_code == 200
    assert_refused(refresh(api, first["refresh_token"]))
    event = AuditEvent.objects.get(action=AuditAction.TOKEN_REUSE)
    assert (event.actor, event.object_type, event.object_id) == (None, "user", str(world.patient.pk))
    assert event.fields == []
    world.patient.refresh_from_db()
    assert world.patient.tokens_valid_after is not None
    for tokens in (second, elsewhere):
        assert_refused(me(api, tokens["access_token"]))
        assert_refused(refresh(api, tokens["refresh_token"]))
    assert me(api, login(api, world.patient)["access_token"]).status_code == 200
    assert me(api, login(api, world.other_patient)["access_token"]).status_code == 200


def test_a_logged_out_refresh_token_sent_again_revokes_every_token_of_its_user(api, world):
    session, elsewhere = login(api, world.doctor), login(api, world.doctor)
    response = api().post(
        "/api/v1/auth/logout",
        {"refresh_token": session["refresh_token"]},
        HTTP_AUTHORIZATION=f"Bearer {session['access_token']}",
    )
    assert response.status_code == 204
    assert me(api, elsewhere["access_token"]).status_code == 200
    assert_refused(refresh(api, session["refresh_token"]))
    assert (
        AuditEvent.objects.filter(action=AuditAction.TOKEN_REUSE, object_id=str(world.doctor.pk)).count() == 1
    )
    assert_refused(me(api, elsewhere["access_token"]))
    assert_refused(refresh(api, elsewhere["refresh_token"]))


def test_replaying_an_old_token_again_does_not_end_the_next_session(api, world):
    first = login(api, world.patient)
    refresh(api, first["refresh_token"])
    assert_refused(refresh(api, first["refresh_token"]))  # reuse: everything revoked
    fresh = login(api, world.patient)
    assert_refused(refresh(api, first["refresh_token"]))  # the same leaked token, again
    assert me(api, fresh["access_token"]).status_code == 200
    assert refresh(api, fresh["refresh_token"]).status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.TOKEN_REUSE).count() == 2


def test_token_reuse_is_an_audit_action_admins_can_filter_on(api, world):
    first = login(api, world.patient)
    refresh(api, first["refresh_token"])
    refresh(api, first["refresh_token"])
    response = api(world.admin).get("/api/v1/audit-events/?action=token_reuse")
    assert response.status_code == 200
    assert [event["object_id"] for event in response.json()["results"]] == [str(world.patient.pk)]
