"""Passkeys in the API (API.md, "Second factor"): registered through py_webauthn
with a software authenticator answering as a browser would, then used as the
second step of signing in."""

import pytest

from accounts import tokens
from accounts.models import AuditAction, AuditEvent, Passkey, TOTPDevice
from accounts.tests.factories import PASSWORD
from accounts.tests.soft_authenticator import SoftAuthenticator
from accounts.tests.test_mfa_api import code, enrol

pytestmark = pytest.mark.django_db

PASSKEYS = "/api/v1/auth/passkeys"


def add_passkey(api, user, name="Laptop") -> tuple[SoftAuthenticator, dict]:
    device, client = SoftAuthenticator(), api(user)
    options = client.post(f"{PASSKEYS}/options").json()
    answer = client.post(PASSKEYS, {"name": name, "credential": device.create(options)}, format="json")
    assert answer.status_code == 201, answer.content
    user.refresh_from_db()
    return device, answer.json()


def mfa_token_of(api, user) -> str:
    answer = api().post(
        "/api/v1/auth/login", {"username": user.username, "password": PASSWORD}, format="json"
    )
    return answer.json()["mfa_token"]


def sign_in_with(api, device: SoftAuthenticator, mfa_token: str):
    options = api().post("/api/v1/auth/mfa/passkey-options", {"mfa_token": mfa_token}, format="json").json()
    return api().post(
        "/api/v1/auth/mfa/verify", {"mfa_token": mfa_token, "passkey": device.get(options)}, format="json"
    )


def test_registration_options_are_webauthn_options(api, world, settings):
    options = api(world.doctor).post(f"{PASSKEYS}/options").json()
    assert options["rp"]["id"] == settings.WEBAUTHN_RP_ID
    assert options["user"]["name"] == world.doctor.username
    assert options["challenge"] and options["pubKeyCredParams"]


def test_a_registered_passkey_is_listed_audited_and_turns_the_second_step_on(api, world):
    _, passkey = add_passkey(api, world.doctor)
    assert set(passkey) == {"id", "name", "created_at", "last_used_at"}
    assert passkey["name"] == "Laptop" and passkey["last_used_at"] is None
    assert api(world.doctor).get(PASSKEYS).json() == [passkey]
    assert api(world.doctor).get("/api/v1/auth/mfa").json()["passkeys"] == 1
    assert AuditEvent.objects.filter(action=AuditAction.PASSKEY_ADDED, actor=world.doctor).count() == 1
    login = api().post("/api/v1/auth/login", {"username": world.doctor.username, "password": PASSWORD})
    assert login.json()["methods"] == ["passkey"]


def test_a_forged_registration_is_400_and_keeps_nothing(api, world):
    client = api(world.doctor)
    options = client.post(f"{PASSKEYS}/options").json()
    options["challenge"] = "AAAA"  # answering another challenge
    answer = client.post(
        PASSKEYS, {"name": "X", "credential": SoftAuthenticator().create(options)}, format="json"
    )
    assert (answer.status_code, answer.json()["code"]) == (400, "invalid_passkey")
    assert not Passkey.objects.exists()


def test_registering_without_options_is_400(api, world):
    credential = SoftAuthenticator().create({"challenge": "AAAA"})
    answer = api(world.doctor).post(PASSKEYS, {"name": "X", "credential": credential}, format="json")
    assert (answer.status_code, answer.json()["code"]) == (400, "invalid_passkey")


def test_signing_in_with_the_passkey_gives_tokens_marked_hwk(api, world):
    device, passkey = add_passkey(api, world.doctor)
    answer = sign_in_with(api, device, mfa_token_of(api, world.doctor))
    assert answer.status_code == 200, answer.content
    assert tokens.read(answer.json()["access_token"], tokens.AccessToken)["amr"] == ["pwd", "hwk"]
    stored = Passkey.objects.get(pk=passkey["id"])
    assert stored.sign_count == 1 and stored.last_used_at is not None


def test_another_authenticator_cannot_sign_in(api, world):
    add_passkey(api, world.doctor)
    answer = sign_in_with(api, SoftAuthenticator(), mfa_token_of(api, world.doctor))
    assert (answer.status_code, answer.json()["code"]) == (401, "invalid_mfa_code")


def test_an_assertion_for_another_origin_is_refused(api, world):
    device, _ = add_passkey(api, world.doctor)
    device.origin = "https://evil.example"
    answer = sign_in_with(api, device, mfa_token_of(api, world.doctor))
    assert (answer.status_code, answer.json()["code"]) == (401, "invalid_mfa_code")


def test_a_code_and_a_passkey_at_once_is_400(api, world):
    answer = api().post(
        "/api/v1/auth/mfa/verify", {"mfa_token": "x", "code": "1", "passkey": {}}, format="json"
    )
    assert (answer.status_code, answer.json()["code"]) == (400, "validation_error")


def test_removing_a_passkey(api, world):
    _, passkey = add_passkey(api, world.doctor)
    assert api(world.other_doctor).delete(f"{PASSKEYS}/{passkey['id']}").status_code == 404
    assert api(world.doctor).delete(f"{PASSKEYS}/{passkey['id']}").status_code == 204
    world.doctor.refresh_from_db()
    assert world.doctor.mfa_enabled is False
    assert AuditEvent.objects.filter(action=AuditAction.PASSKEY_REMOVED, actor=world.doctor).count() == 1
    login = api().post("/api/v1/auth/login", {"username": world.doctor.username, "password": PASSWORD})
    assert "access_token" in login.json()


def test_removing_the_app_keeps_the_passkey_on(api, world):
    secret, _ = enrol(api, world.doctor)
    add_passkey(api, world.doctor)
    proof = {"password": PASSWORD, "code": code(secret, steps_ahead=1)}
    assert api(world.doctor).delete("/api/v1/auth/mfa/totp", proof, format="json").status_code == 204
    world.doctor.refresh_from_db()
    assert world.doctor.mfa_enabled is True and not TOTPDevice.objects.filter(user=world.doctor).exists()


def test_a_passkey_is_a_second_factor_for_a_required_role(api, world, settings):
    settings.MFA_REQUIRED_ROLES = ["doctor"]
    add_passkey(api, world.doctor)
    assert api(world.doctor).get("/api/v1/clients/").status_code == 200
