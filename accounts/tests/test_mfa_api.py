"""The second factor in the API (API.md, "Second factor"): an authenticator
app with real TOTP codes (django-otp's oath, as any app computes them),
recovery codes, and signing in in two steps."""

import io
from base64 import b32decode
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_otp.oath import totp

from accounts import tokens
from accounts.models import AuditAction, AuditEvent, MfaChallenge, RecoveryCode, TOTPDevice
from accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

MFA = "/api/v1/auth/mfa"


def code(secret: str, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for `secret` now (or `steps_ahead` 30 s steps on)."""
    return f"{totp(b32decode(secret), drift=steps_ahead):06d}"


def enrol(api, user) -> tuple[str, list[str]]:
    """Set up an authenticator for `user`: (its secret, the recovery codes)."""
    client = api(user)
    secret = client.post(f"{MFA}/totp").json()["secret"]
    answer = client.post(f"{MFA}/totp/confirm", {"code": code(secret)}, format="json")
    assert answer.status_code == 200
    user.refresh_from_db()  # `api(user)` caches the instance it is given, as a first request would
    return secret, answer.json()["recovery_codes"]


def login(api, user, password: str = PASSWORD):
    return api().post("/api/v1/auth/login", {"username": user.username, "password": password}, format="json")


def verify(api, mfa_token: str, value: str):
    return api().post(f"{MFA}/verify", {"mfa_token": mfa_token, "code": value}, format="json")


def amr(access_token: str) -> list[str]:
    return tokens.read(access_token, tokens.AccessToken)["amr"]


# Setting up


def test_status_before_anything_is_set_up(api, world):
    assert api(world.doctor).get(MFA).json() == {
        "totp": False,
        "passkeys": 0,
        "recovery_codes_left": 0,
        "required": False,
    }


def test_status_says_required_for_the_roles_named(api, world, settings):
    settings.MFA_REQUIRED_ROLES = ["doctor"]
    assert api(world.doctor).get(MFA).json()["required"] is True
    assert api(world.patient).get(MFA).json()["required"] is False


def test_a_new_authenticator_is_unconfirmed_with_its_secret_encrypted_at_rest(api, world):
    answer = api(world.staff).post(f"{MFA}/totp")
    assert answer.status_code == 201
    body = answer.json()
    uri = urlsplit(body["otpauth_uri"])
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    assert parse_qs(uri.query)["secret"] == [body["secret"]]
    device = TOTPDevice.objects.get(user=world.staff)
    assert device.confirmed is False
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM accounts_totpdevice WHERE id = %s", [device.pk])
        stored = cursor.fetchone()[0]
    assert b32decode(body["secret"]).hex() not in stored and body["secret"] not in stored
    assert api(world.staff).get(MFA).json()["totp"] is False


def test_starting_again_replaces_the_unconfirmed_one(api, world):
    client = api(world.staff)
    first = client.post(f"{MFA}/totp").json()["secret"]
    second = client.post(f"{MFA}/totp").json()["secret"]
    assert first != second
    assert TOTPDevice.objects.filter(user=world.staff).count() == 1
    assert client.post(f"{MFA}/totp/confirm", {"code": code(first)}, format="json").status_code == 400


def test_confirming_gives_ten_single_use_recovery_codes_stored_hashed(api, world):
    _, codes = enrol(api, world.doctor)
    assert len(codes) == len(set(codes)) == 10
    stored = list(RecoveryCode.objects.filter(user=world.doctor).values_list("code_hash", flat=True))
    assert len(stored) == 10 and not set(codes) & set(stored)
    assert api(world.doctor).get(MFA).json() == {
        "totp": True,
        "passkeys": 0,
        "recovery_codes_left": 10,
        "required": False,
    }
    event = AuditEvent.objects.get(action=AuditAction.MFA_ENABLED)
    assert (event.actor, event.object_id) == (world.doctor, str(world.doctor.pk))
    assert not any(c.replace("-", "") in str(event.fields) for c in codes)


def test_a_wrong_code_does_not_confirm(api, world):
    client = api(world.doctor)
    secret = client.post(f"{MFA}/totp").json()["secret"]
    wrong = f"{(int(code(secret)) + 1) % 1_000_000:06d}"
    answer = client.post(f"{MFA}/totp/confirm", {"code": wrong}, format="json")
    assert (answer.status_code, answer.json()["code"]) == (400, "invalid_mfa_code")
    assert TOTPDevice.objects.get(user=world.doctor).confirmed is False
    assert AuditEvent.objects.filter(action=AuditAction.MFA_FAILED, actor=world.doctor).count() == 1


def test_confirming_with_nothing_waiting_is_400(api, world):
    answer = api(world.doctor).post(f"{MFA}/totp/confirm", {"code": "123456"}, format="json")
    assert (answer.status_code, answer.json()["code"]) == (400, "invalid_mfa_code")


def test_a_second_authenticator_is_409_while_one_is_set_up(api, world):
    enrol(api, world.doctor)
    answer = api(world.doctor).post(f"{MFA}/totp")
    assert (answer.status_code, answer.json()["code"]) == (409, "mfa_already_enabled")


def test_anonymous_reaches_none_of_it(api):
    assert api().get(MFA).status_code == 401
    assert api().post(f"{MFA}/totp").status_code == 401


# Signing in with it


def test_login_asks_for_the_second_factor_and_gives_no_token(api, world):
    enrol(api, world.doctor)
    answer = login(api, world.doctor)
    assert answer.status_code == 200
    body = answer.json()
    assert body["mfa_required"] is True
    assert body["methods"] == ["totp", "recovery_code"]
    assert "access_token" not in body and "refresh_token" not in body


def test_verify_with_the_app_code_gives_tokens_marked_otp(api, world):
    secret, _ = enrol(api, world.doctor)
    mfa_token = login(api, world.doctor).json()["mfa_token"]
    answer = verify(api, mfa_token, code(secret, steps_ahead=1))  # confirm used this step's code
    assert answer.status_code == 200
    pair = answer.json()
    assert amr(pair["access_token"]) == ["pwd", "otp"]
    me = api().get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Bearer {pair['access_token']}")
    assert me.json()["id"] == world.doctor.pk
    refreshed = api().post("/api/v1/auth/refresh", {"refresh_token": pair["refresh_token"]}, format="json")
    assert amr(refreshed.json()["access_token"]) == ["pwd", "otp"]
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, actor=world.doctor).count() == 1


def test_a_password_only_login_is_marked_pwd(api, world):
    assert amr(login(api, world.staff).json()["access_token"]) == ["pwd"]


def test_an_app_code_works_once(api, world):
    client = api(world.doctor)
    secret = client.post(f"{MFA}/totp").json()["secret"]
    used = code(secret)
    assert client.post(f"{MFA}/totp/confirm", {"code": used}, format="json").status_code == 200
    world.doctor.refresh_from_db()
    answer = verify(api, login(api, world.doctor).json()["mfa_token"], used)
    assert (answer.status_code, answer.json()["code"]) == (401, "invalid_mfa_code")


def test_a_wrong_code_is_401_audited_and_the_token_still_works_after(api, world):
    secret, _ = enrol(api, world.doctor)
    mfa_token = login(api, world.doctor).json()["mfa_token"]
    wrong = verify(api, mfa_token, "000000" if code(secret, 1) != "000000" else "111111")
    assert (wrong.status_code, wrong.json()["code"]) == (401, "invalid_mfa_code")
    assert AuditEvent.objects.filter(action=AuditAction.MFA_FAILED, actor=world.doctor).exists()
    assert verify(api, mfa_token, code(secret, steps_ahead=1)).status_code == 200


def test_a_recovery_code_signs_in_once(api, world):
    _, codes = enrol(api, world.doctor)
    first = verify(api, login(api, world.doctor).json()["mfa_token"], codes[0].upper().replace("-", " "))
    assert first.status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.RECOVERY_CODE_USED, actor=world.doctor).count() == 1
    again = verify(api, login(api, world.doctor).json()["mfa_token"], codes[0])
    assert (again.status_code, again.json()["code"]) == (401, "invalid_mfa_code")
    assert api(world.doctor).get(MFA).json()["recovery_codes_left"] == 9


def test_a_used_mfa_token_is_expired(api, world):
    _, codes = enrol(api, world.doctor)
    mfa_token = login(api, world.doctor).json()["mfa_token"]
    assert verify(api, mfa_token, codes[0]).status_code == 200
    answer = verify(api, mfa_token, codes[1])
    assert (answer.status_code, answer.json()["code"]) == (401, "mfa_token_expired")


def test_an_mfa_token_expires_after_five_minutes(api, world):
    _, codes = enrol(api, world.doctor)
    mfa_token = login(api, world.doctor).json()["mfa_token"]
    MfaChallenge.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    answer = verify(api, mfa_token, codes[0])
    assert (answer.status_code, answer.json()["code"]) == (401, "mfa_token_expired")
    assert RecoveryCode.objects.filter(user=world.doctor, used_at=None).count() == 10


@pytest.mark.parametrize("kind", ["garbage", "an access token"])
def test_anything_but_an_mfa_token_is_expired(api, world, kind):
    mfa_token = tokens.access_for(world.doctor) if kind == "an access token" else "not-a-token"
    answer = verify(api, mfa_token, "123456")
    assert (answer.status_code, answer.json()["code"]) == (401, "mfa_token_expired")


def test_codes_are_limited_per_account(api, world, settings):
    secret, _ = enrol(api, world.doctor)
    settings.MFA_RATE = "3/m"
    mfa_token = login(api, world.doctor).json()["mfa_token"]
    statuses = [verify(api, mfa_token, "000000").status_code for _ in range(3)]
    assert statuses == [401, 401, 401]
    limited = verify(api, mfa_token, code(secret, steps_ahead=1))
    assert (limited.status_code, limited.json()["code"]) == (429, "throttled")


# Removing it, new recovery codes


def test_removing_needs_the_password_and_a_code(api, world):
    secret, _ = enrol(api, world.doctor)
    client = api(world.doctor)
    wrong_password = client.delete(
        f"{MFA}/totp", {"password": "nope", "code": code(secret, 1)}, format="json"
    )
    assert (wrong_password.status_code, wrong_password.json()["code"]) == (400, "invalid_password")
    wrong_code = client.delete(f"{MFA}/totp", {"password": PASSWORD, "code": "000000"}, format="json")
    assert (wrong_code.status_code, wrong_code.json()["code"]) == (400, "invalid_mfa_code")
    assert TOTPDevice.objects.filter(user=world.doctor).exists()
    done = client.delete(f"{MFA}/totp", {"password": PASSWORD, "code": code(secret, 1)}, format="json")
    assert done.status_code == 204
    assert not TOTPDevice.objects.filter(user=world.doctor).exists()
    assert not RecoveryCode.objects.filter(user=world.doctor).exists()
    assert AuditEvent.objects.filter(action=AuditAction.MFA_DISABLED, actor=world.doctor).count() == 1
    assert "access_token" in login(api, world.doctor).json()


def test_new_recovery_codes_replace_the_old_set(api, world):
    _, old = enrol(api, world.doctor)
    answer = api(world.doctor).post(
        f"{MFA}/recovery-codes", {"password": PASSWORD, "code": old[0]}, format="json"
    )
    assert answer.status_code == 200
    new = answer.json()["recovery_codes"]
    assert len(new) == 10 and not set(new) & set(old)
    assert verify(api, login(api, world.doctor).json()["mfa_token"], old[1]).status_code == 401
    assert verify(api, login(api, world.doctor).json()["mfa_token"], new[0]).status_code == 200


# Roles that must have it


ALLOWED = ["/api/v1/auth/me", MFA]


@pytest.fixture
def required(settings):
    settings.MFA_REQUIRED_ROLES = ["admin", "doctor", "staff"]


@pytest.mark.parametrize("role", ["admin", "doctor", "staff"])
def test_a_required_role_without_it_reaches_only_enrolment(api, world, required, role):
    client = api(world.user(role))
    for path in ALLOWED:
        assert client.get(path).status_code == 200
    for path in ["/api/v1/clients/", "/api/v1/appointments/", "/api/v1/users/"]:
        answer = client.get(path)
        assert (answer.status_code, answer.json()["code"]) == (403, "mfa_enrollment_required")


def test_a_patient_is_not_held_back(api, world, required):
    assert api(world.patient).get("/api/v1/appointments/").status_code == 200


def test_a_required_role_reaches_everything_once_enrolled(api, world, required):
    enrol(api, world.doctor)
    assert api(world.doctor).get("/api/v1/clients/").status_code == 200


def test_rotate_field_keys_re_encrypts_the_secret_and_the_app_still_works(api, world, settings):
    old, new = list(settings.FIELD_ENCRYPTION_KEYS), Fernet.generate_key().decode()
    secret, _ = enrol(api, world.doctor)
    settings.FIELD_ENCRYPTION_KEYS = [new, *old]
    call_command("rotate_field_keys", stdout=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM accounts_totpdevice WHERE user_id = %s", [world.doctor.pk])
        stored = cursor.fetchone()[0]
    assert Fernet(new).decrypt(stored.encode())  # re-encrypted under the newest key
    settings.FIELD_ENCRYPTION_KEYS = [new]
    assert (
        verify(api, login(api, world.doctor).json()["mfa_token"], code(secret, steps_ahead=1)).status_code
        == 200
    )
