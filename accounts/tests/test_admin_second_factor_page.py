"""Each user's own second-factor page in the admin (accounts/admin_enrolment.py):
new recovery codes and removing the app with the password and a code, passkeys
added with the browser's answer and removed, all audited; and signing in to
the admin with a passkey (accounts/admin_webauthn.py)."""

import json
import re

import pytest
from django.test import Client as BrowserClient

from accounts.models import AuditAction, AuditEvent, Passkey, RecoveryCode, TOTPDevice
from accounts.tests.factories import PASSWORD
from accounts.tests.soft_authenticator import SoftAuthenticator
from accounts.tests.test_mfa_api import code, enrol
from accounts.tests.test_passkeys_api import add_passkey

pytestmark = pytest.mark.django_db
PAGE = "/admin/second-factor/"
ORIGIN = "http://testserver"  # the Django test client's own origin, as the admin's


def signed_in(user, value: str = "") -> BrowserClient:
    browser = BrowserClient()
    form = {"username": user.username, "password": PASSWORD, "code": value}
    assert browser.post("/admin/login/", form).status_code == 302
    return browser


def events(action, user) -> int:
    return AuditEvent.objects.filter(action=action, actor=user).count()


def codes_on(page) -> list[str]:
    return re.findall(r"<li>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</li>", page.content.decode())


def test_every_staff_page_links_to_it(world):
    assert f'href="{PAGE}"' in signed_in(world.staff).get("/admin/").content.decode()


def test_the_page_shows_what_the_user_has(api, world):
    _, codes = enrol(api, world.doctor)
    add_passkey(api, world.doctor, name="Desk key")
    page = signed_in(world.doctor, codes[0]).get(PAGE).content.decode()
    assert 'id="recovery-codes-left">9<' in page  # one spent signing in
    assert "Desk key" in page and 'id="totp-secret"' not in page


def test_new_recovery_codes_need_the_password_and_a_code(api, world):
    secret, old = enrol(api, world.doctor)
    browser, fresh = signed_in(world.doctor, old[0]), code(secret, steps_ahead=1)
    wrong = browser.post(PAGE, {"action": "recovery_codes", "password": "not-it", "code": fresh})
    assert "The password is not correct." in wrong.content.decode()
    assert events(AuditAction.MFA_FAILED, world.doctor) == 1
    answer = browser.post(PAGE, {"action": "recovery_codes", "password": PASSWORD, "code": fresh})
    new = codes_on(answer)
    assert len(new) == 10 and not set(new) & set(old)
    assert RecoveryCode.objects.filter(user=world.doctor, used_at=None).count() == 10
    form = {"username": world.doctor.username, "password": PASSWORD, "code": old[1]}
    assert BrowserClient().post("/admin/login/", form).status_code == 200  # the old set is gone


def test_removing_the_app_with_a_wrong_code_keeps_it(api, world):
    secret, codes = enrol(api, world.staff)
    browser = signed_in(world.staff, codes[0])
    wrong = "000000" if code(secret) != "000000" else "111111"
    answer = browser.post(PAGE, {"action": "remove_totp", "password": PASSWORD, "code": wrong})
    assert "This code is not valid." in answer.content.decode()
    assert TOTPDevice.objects.filter(user=world.staff, confirmed=True).exists()


def test_removing_the_app_turns_the_second_step_off(api, world):
    secret, codes = enrol(api, world.staff)
    browser = signed_in(world.staff, codes[0])
    fresh = code(secret, steps_ahead=1)
    answer = browser.post(PAGE, {"action": "remove_totp", "password": PASSWORD, "code": fresh})
    assert answer.status_code == 302
    world.staff.refresh_from_db()
    assert not world.staff.mfa_enabled and not TOTPDevice.objects.filter(user=world.staff).exists()
    assert events(AuditAction.MFA_DISABLED, world.staff) == 1
    assert "removed" in browser.get(PAGE).content.decode()


def add_in_admin(browser, user, name="This laptop") -> SoftAuthenticator:
    device = SoftAuthenticator(origin=ORIGIN)
    options = browser.post(f"{PAGE}passkey-options/").json()
    assert options["authenticatorSelection"]["residentKey"] == "preferred"
    form = {"action": "add_passkey", "name": name, "passkey": _json(device.create(options))}
    answer = browser.post(PAGE, form)
    assert answer.status_code == 302, answer.content.decode()
    return device


def _json(value) -> str:
    return json.dumps(value)


def test_a_passkey_added_in_the_admin_is_kept_and_audited(world):
    browser = signed_in(world.doctor)
    add_in_admin(browser, world.doctor)
    passkey = Passkey.objects.get(user=world.doctor)
    assert passkey.name == "This laptop"
    world.doctor.refresh_from_db()
    assert world.doctor.mfa_enabled
    assert events(AuditAction.PASSKEY_ADDED, world.doctor) == 1


def test_a_forged_passkey_is_refused_and_nothing_kept(world):
    browser = signed_in(world.doctor)
    options = browser.post(f"{PAGE}passkey-options/").json()
    forged = SoftAuthenticator(origin="https://evil.example").create(options)
    answer = browser.post(PAGE, {"action": "add_passkey", "name": "x", "passkey": _json(forged)})
    assert "The passkey could not be verified." in answer.content.decode()
    assert not Passkey.objects.exists()


def test_removing_a_passkey(api, world):
    browser = signed_in(world.doctor)
    add_in_admin(browser, world.doctor)
    passkey = Passkey.objects.get(user=world.doctor)
    answer = browser.post(PAGE, {"action": "remove_passkey", "passkey_id": passkey.pk})
    assert answer.status_code == 302 and not Passkey.objects.exists()
    assert events(AuditAction.PASSKEY_REMOVED, world.doctor) == 1


def test_nobody_removes_another_users_passkey(api, world):
    add_passkey(api, world.doctor)
    browser = signed_in(world.staff)
    answer = browser.post(PAGE, {"action": "remove_passkey", "passkey_id": Passkey.objects.get().pk})
    assert answer.status_code == 404 and Passkey.objects.count() == 1


def test_an_unknown_action_is_an_error_on_the_page(world):
    answer = signed_in(world.staff).post(PAGE, {"action": "format_disk"})
    assert answer.status_code == 200 and "Unknown action." in answer.content.decode()


def sign_in_with_passkey(user, device: SoftAuthenticator):
    browser = BrowserClient()
    options = browser.post("/admin/login/passkey-options/").json()
    assert options["allowCredentials"] == []  # any passkey the device keeps
    form = {"username": user.username, "password": PASSWORD, "passkey": _json(device.get(options))}
    return browser, browser.post("/admin/login/", form)


def test_signing_in_to_the_admin_with_a_passkey(world):
    device = add_in_admin(signed_in(world.doctor), world.doctor)
    browser, answer = sign_in_with_passkey(world.doctor, device)
    assert answer.status_code == 302 and browser.get("/admin/").status_code == 200
    assert Passkey.objects.get(user=world.doctor).last_used_at is not None
    assert events(AuditAction.LOGIN, world.doctor) == 2  # the password alone before, then this one


def test_a_passkey_answer_works_once(world):
    device = add_in_admin(signed_in(world.doctor), world.doctor)
    browser = BrowserClient()
    options = browser.post("/admin/login/passkey-options/").json()
    form = {"username": world.doctor.username, "password": PASSWORD, "passkey": _json(device.get(options))}
    assert browser.post("/admin/login/", form).status_code == 302
    browser.post("/admin/logout/")
    assert browser.post("/admin/login/", form).status_code == 200  # the session's challenge is spent


def test_another_users_passkey_does_not_sign_in(world):
    device = add_in_admin(signed_in(world.doctor), world.doctor)
    add_in_admin(signed_in(world.staff), world.staff)
    _, answer = sign_in_with_passkey(world.staff, device)
    assert answer.status_code == 200
    assert "or use your passkey" in answer.content.decode()
    assert events(AuditAction.MFA_FAILED, world.staff) == 1


def test_a_wrong_password_with_a_right_passkey_is_refused(world):
    device = add_in_admin(signed_in(world.doctor), world.doctor)
    browser = BrowserClient()
    options = browser.post("/admin/login/passkey-options/").json()
    form = {"username": world.doctor.username, "password": "wrong", "passkey": _json(device.get(options))}
    assert browser.post("/admin/login/", form).status_code == 200
    assert Passkey.objects.get(user=world.doctor).last_used_at is None
