"""The second factor in the admin: the code on the sign-in page for a user who
has one, an admin's reset of a lost device, and `manage.py reset_mfa`."""

import pytest
from django.core.management import call_command
from django.test import Client as BrowserClient

from accounts.models import AuditAction, AuditEvent, RecoveryCode, TOTPDevice
from accounts.tests.factories import PASSWORD
from accounts.tests.test_mfa_api import code, enrol

pytestmark = pytest.mark.django_db


def sign_in(user, value=None):
    browser = BrowserClient()
    form = {"username": user.username, "password": PASSWORD, **({"code": value} if value is not None else {})}
    return browser, browser.post("/admin/login/", form)


def signed_in(browser) -> bool:
    return browser.get("/admin/").status_code == 200


def test_the_sign_in_page_asks_for_the_code(client):
    page = client.get("/admin/login/").content.decode()
    assert 'name="code"' in page and 'autocomplete="one-time-code"' in page


def test_without_a_second_factor_the_password_is_enough(world):
    browser, answer = sign_in(world.staff)
    assert answer.status_code == 302 and signed_in(browser)


def test_with_one_the_password_alone_is_refused(api, world):
    enrol(api, world.staff)
    browser, answer = sign_in(world.staff)
    assert answer.status_code == 200
    assert "Enter the code your authenticator app shows now" in answer.content.decode()
    assert not signed_in(browser)
    assert AuditEvent.objects.filter(action=AuditAction.MFA_FAILED, actor=world.staff).count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).count() == 1


def test_with_one_the_app_code_signs_in_once(api, world):
    secret, _ = enrol(api, world.staff)
    next_code = code(secret, steps_ahead=1)
    browser, answer = sign_in(world.staff, next_code)
    assert answer.status_code == 302 and signed_in(browser)
    again, replay = sign_in(world.staff, next_code)
    assert replay.status_code == 200 and not signed_in(again)


def test_with_one_a_recovery_code_signs_in_and_is_spent(api, world):
    _, codes = enrol(api, world.staff)
    browser, answer = sign_in(world.staff, codes[3])
    assert answer.status_code == 302 and signed_in(browser)
    assert RecoveryCode.objects.filter(user=world.staff, used_at__isnull=False).count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.RECOVERY_CODE_USED, actor=world.staff).count() == 1


def test_an_admin_resets_a_lost_device_and_the_user_is_signed_out(api, world):
    enrol(api, world.staff)
    before = api(world.staff)
    browser, _ = sign_in(world.admin)
    answer = browser.post(
        "/admin/accounts/user/",
        {"action": "reset_second_factor", "_selected_action": [world.staff.pk]},
        follow=True,
    )
    assert "Second factor reset: " in answer.content.decode()
    assert not TOTPDevice.objects.filter(user=world.staff).exists()
    assert not RecoveryCode.objects.filter(user=world.staff).exists()
    world.staff.refresh_from_db()
    assert world.staff.mfa_enabled is False
    assert before.get("/api/v1/auth/me").status_code == 401  # its tokens are revoked
    event = AuditEvent.objects.get(action=AuditAction.MFA_RESET)
    assert (event.actor, event.object_id) == (world.admin, str(world.staff.pk))


def test_the_front_desk_cannot_reset_anyone(api, world):
    world.staff.refresh_from_db()
    browser, _ = sign_in(world.staff)
    page = browser.get("/admin/accounts/user/").content.decode()
    assert "reset_second_factor" not in page


def test_the_command_resets_a_user(api, world, capsys):
    enrol(api, world.doctor)
    call_command("reset_mfa", world.doctor.email)
    world.doctor.refresh_from_db()
    assert world.doctor.mfa_enabled is False and not TOTPDevice.objects.filter(user=world.doctor).exists()
    assert f"user {world.doctor.pk}" in capsys.readouterr().out
    event = AuditEvent.objects.get(action=AuditAction.MFA_RESET)
    assert event.actor is None
