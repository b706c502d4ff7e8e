"""Login, refresh, logout, me, password change (API.md, "Auth"); register is
clinic's (clinic/tests/test_registration.py)."""

import pytest
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken

from accounts.models import AuditAction, AuditEvent
from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-passphrase-42"


def bearer(api, token: str):
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def login(api, login: str, password: str = PASSWORD, **extra):
    return api().post("/api/v1/auth/login", {"username": login, "password": password}, **extra)


# Login


@pytest.mark.parametrize("field", ["username", "email"])
def test_login_with_json_email_or_username(api, world, field):
    value = world.doctor.username if field == "username" else world.doctor.email.upper()
    response = api().post("/api/v1/auth/login", {field: value, "password": PASSWORD})
    assert response.status_code == 200
    assert set(response.json()) == {"access_token", "refresh_token", "token_type", "expires_in"}
    event = AuditEvent.objects.get(action=AuditAction.LOGIN)
    assert (event.actor, event.object_type, event.object_id) == (world.doctor, "user", str(world.doctor.pk))
    world.doctor.refresh_from_db()
    assert world.doctor.last_login is not None


def test_login_with_the_oauth2_password_form(api, world):
    form = {"grant_type": "password", "username": world.patient.email, "password": PASSWORD, "scope": ""}
    response = api().post("/api/v1/auth/login", form, format="multipart")
    assert response.status_code == 200
    client = api()
    response = client.post(
        "/api/v1/auth/login",
        f"grant_type=password&username={world.patient.username}&password={PASSWORD}",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert response.json()["token_type"] == "bearer"


@pytest.mark.parametrize("case", ["unknown user", "wrong password", "inactive user"])
def test_login_failures_are_one_uniform_401(api, world, case):
    login_name, password = world.patient.username, PASSWORD
    if case == "unknown user":
        login_name = "nobody@clinic.test"
    elif case == "wrong password":
        password = "wrong-password"
    else:
        world.patient.is_active = False
        world.patient.save()
    response = login(api, login_name, password)
    assert response.status_code == 401
    assert response.json() == {
        "detail": "Unable to sign in with these credentials.",
        "code": "invalid_credentials",
    }
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.object_type, event.object_id) == (
        "login_failed",
        None,
        "user",
        "",
    )
    assert "nobody" not in str(event.__dict__)


def test_login_needs_a_login_and_a_password(api, db):
    response = api().post("/api/v1/auth/login", {"password": "x"})
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert not AuditEvent.objects.exists()


# Refresh


def test_refresh_rotates_and_the_old_refresh_token_is_refused(api, world):
    first = login(api, world.patient.username).json()
    response = api().post("/api/v1/auth/refresh", {"refresh_token": first["refresh_token"]})
    assert response.status_code == 200
    second = response.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert bearer(api, second["access_token"]).get("/api/v1/auth/me").status_code == 200
    third = api().post("/api/v1/auth/refresh", {"refresh_token": second["refresh_token"]})
    assert third.status_code == 200
    reuse = api().post("/api/v1/auth/refresh", {"refresh_token": first["refresh_token"]})
    assert reuse.status_code == 401
    assert reuse.json()["code"] == "token_not_valid"
    assert BlacklistedToken.objects.count() == 2  # what else a reuse does: test_refresh_reuse.py


def test_refresh_of_a_deactivated_user_is_refused(api, world):
    first = login(api, world.patient.username).json()
    world.patient.is_active = False
    world.patient.save()
    response = api().post("/api/v1/auth/refresh", {"refresh_token": first["refresh_token"]})
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_refresh_needs_a_token(api, db):
    response = api().post("/api/v1/auth/refresh", {})
    assert response.status_code == 400
    assert "refresh_token" in response.json()["errors"]


# Logout


@pytest.mark.parametrize("role", ["admin", "staff", "doctor", "patient"])
def test_logout_refuses_both_tokens_from_then_on(api, world, role):
    user = world.user(role)
    tokens = login(api, user.username).json()
    client = bearer(api, tokens["access_token"])
    response = client.post("/api/v1/auth/logout", {"refresh_token": tokens["refresh_token"]})
    assert response.status_code == 204
    me = client.get("/api/v1/auth/me")
    assert me.status_code == 401 and me.json()["code"] == "token_not_valid"
    refresh = api().post("/api/v1/auth/refresh", {"refresh_token": tokens["refresh_token"]})
    assert refresh.status_code == 401
    event = AuditEvent.objects.get(action=AuditAction.LOGOUT)
    assert event.actor == user
    other_session = login(api, user.username).json()
    assert bearer(api, other_session["access_token"]).get("/api/v1/auth/me").status_code == 200


def test_logout_with_someone_elses_refresh_token_changes_nothing(api, world):
    mine = login(api, world.patient.username).json()
    theirs = login(api, world.other_patient.username).json()
    response = bearer(api, mine["access_token"]).post(
        "/api/v1/auth/logout", {"refresh_token": theirs["refresh_token"]}
    )
    assert response.status_code == 401
    assert not BlacklistedToken.objects.exists()
    assert bearer(api, mine["access_token"]).get("/api/v1/auth/me").status_code == 200


def test_logout_needs_a_bearer(api, world):
    tokens = login(api, world.patient.username).json()
    response = api().post("/api/v1/auth/logout", {"refresh_token": tokens["refresh_token"]})
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


# Me


@pytest.mark.parametrize("role", ["admin", "staff", "doctor", "other_doctor", "patient", "other_patient"])
def test_me_answers_the_callers_user(api, world, role):
    user = world.user(role)
    response = api(user).get("/api/v1/auth/me")
    assert response.status_code == 200
    assert response.json()["id"] == user.pk
    assert set(response.json()) == {
        "id",
        "email",
        "username",
        "full_name",
        "role",
        "is_active",
        "language",
        "date_joined",
        "client",
    }
    own_record = {"patient": world.client.pk, "other_patient": world.other_client.pk}.get(role)
    assert response.json()["client"] == own_record


def test_me_answers_without_redis(api, world, redis_unreachable):
    client = api(world.patient)
    response = client.get("/api/v1/auth/me/")
    assert response.status_code == 200
    assert response.json()["id"] == world.patient.pk


def test_login_works_without_redis(api, world, redis_unreachable):
    assert login(api, world.patient.username).status_code == 200


# Password change


@pytest.mark.parametrize("role", ["admin", "staff", "doctor", "patient"])
def test_password_change_revokes_every_earlier_token(api, world, role):
    user = world.user(role)
    before = login(api, user.username).json()
    client = bearer(api, before["access_token"])
    body = {"old_password": PASSWORD, "new_password": NEW_PASSWORD}
    assert client.post("/api/v1/auth/password/change", body).status_code == 204
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert client.get("/api/v1/auth/me").status_code == 401
    assert api().post("/api/v1/auth/refresh", {"refresh_token": before["refresh_token"]}).status_code == 401
    assert login(api, user.username).status_code == 401
    after = login(api, user.username, NEW_PASSWORD).json()
    assert bearer(api, after["access_token"]).get("/api/v1/auth/me").status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"old_password": "wrong", "new_password": NEW_PASSWORD}, "old_password"),
        ({"old_password": PASSWORD, "new_password": "short"}, "new_password"),
        ({"old_password": PASSWORD}, "new_password"),
    ],
)
def test_password_change_refuses_wrong_old_or_weak_new(api, world, body, field):
    response = api(world.patient).post("/api/v1/auth/password/change", body)
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert field in response.json()["errors"]
    world.patient.refresh_from_db()
    assert world.patient.check_password(PASSWORD) and world.patient.tokens_valid_after is None


def test_password_change_needs_a_bearer(api, db):
    response = api().post("/api/v1/auth/password/change", {"old_password": "a", "new_password": "b"})
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize("case", ["unknown user", "wrong password", "inactive user", "right password"])
def test_every_login_attempt_costs_one_password_hash(api, db, settings, case):
    """No timing oracle for which emails exist: each path hashes exactly once."""
    from accounts.tests.hashers import CountingHasher

    settings.PASSWORD_HASHERS = ["accounts.tests.hashers.CountingHasher"]
    user = UserFactory(is_active=case != "inactive user")
    user.set_password(PASSWORD)
    user.save()
    CountingHasher.calls = 0
    name = "nobody@clinic.test" if case == "unknown user" else user.email
    password = "wrong-password" if case == "wrong password" else PASSWORD
    response = login(api, name, password)
    assert response.status_code == (200 if case == "right password" else 401)
    assert CountingHasher.calls == 1
