"""The admin's second-factor page, and MFA_REQUIRED_ROLES in the admin: a
user whose role must have one is sent there before any other admin page."""

import re

import pytest
from django.test import Client as BrowserClient

from accounts.models import AuditAction, AuditEvent, TOTPDevice
from accounts.tests.factories import PASSWORD
from accounts.tests.test_mfa_api import code

pytestmark = pytest.mark.django_db
PAGE = "/admin/second-factor/"


@pytest.fixture
def required(settings):
    settings.MFA_REQUIRED_ROLES = ["admin", "doctor", "staff"]


def signed_in(user) -> BrowserClient:
    browser = BrowserClient()
    assert browser.post("/admin/login/", {"username": user.username, "password": PASSWORD}).status_code == 302
    return browser


def secret_on(page) -> str:
    return re.search(r'id="totp-secret">([A-Z2-7]+)<', page.content.decode()).group(1)


def test_a_required_role_is_sent_to_enrol_before_anything_else(world, required):
    browser = signed_in(world.staff)
    for path in ["/admin/", "/admin/clinic/client/", "/admin/scheduling/day-schedule/"]:
        answer = browser.get(path)
        assert (answer.status_code, answer["Location"]) == (302, PAGE), path
    page = browser.get(PAGE)
    assert page.status_code == 200
    assert "<svg" in page.content.decode() and "must sign in with a second factor" in page.content.decode()


def test_enrolling_shows_the_recovery_codes_once_and_opens_the_admin(world, required):
    browser = signed_in(world.staff)
    secret = secret_on(browser.get(PAGE))
    assert secret_on(browser.get(PAGE)) == secret  # the waiting one, not a new one each visit
    done = browser.post(PAGE, {"action": "confirm_totp", "code": code(secret)})
    assert (
        len(re.findall(r"<li>[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}</li>", done.content.decode()))
        == 10
    )
    assert TOTPDevice.objects.get(user=world.staff).confirmed
    assert AuditEvent.objects.filter(action=AuditAction.MFA_ENABLED, actor=world.staff).count() == 1
    assert browser.get("/admin/").status_code == 200
    assert 'id="recovery-codes"' not in browser.get(PAGE).content.decode()


def test_a_wrong_code_keeps_the_same_key(world, required):
    browser = signed_in(world.doctor)
    secret = secret_on(browser.get(PAGE))
    wrong = "000000" if code(secret) != "000000" else "111111"
    answer = browser.post(PAGE, {"action": "confirm_totp", "code": wrong})
    assert "This code is not valid." in answer.content.decode()
    assert secret_on(answer) == secret
    assert not TOTPDevice.objects.get(user=world.doctor).confirmed


def test_roles_not_required_are_not_held_back(world, settings):
    settings.MFA_REQUIRED_ROLES = []
    assert signed_in(world.staff).get("/admin/").status_code == 200


def test_the_page_needs_a_signed_in_staff_member(client):
    answer = client.get(PAGE)
    assert answer.status_code == 302 and "/admin/login/" in answer["Location"]
