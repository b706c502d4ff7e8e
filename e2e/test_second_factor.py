# ruff: noqa: S101 (pytest asserts, as in every app's tests/)
"""The second factor in the admin, in a real browser: a front-desk user whose
role must have one is taken to the enrolment page after the password, scans
(here: reads) the key, confirms a code and gets the recovery codes; signed
out, the password alone no longer signs them in, the password and a code do."""

import pytest

from accounts.models import TOTPDevice
from accounts.tests.factories import PASSWORD, StaffFactory
from accounts.tests.test_mfa_api import code

pytestmark = pytest.mark.django_db(transaction=True)


def submit_login(page, base: str, username: str, value: str = "") -> None:
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.fill("#id_code", value)
    page.click("input[type=submit]")


def test_enrol_then_sign_in_with_a_code(page, live_server, settings, artifacts):
    settings.MFA_REQUIRED_ROLES = ["admin", "doctor", "staff"]
    staff = StaffFactory(username="frontdesk2")
    base = live_server.url

    submit_login(page, base, staff.username)
    page.wait_for_url("**/admin/second-factor/")
    assert page.locator("#qr-code svg").count() == 1
    page.screenshot(path=str(artifacts / "second-factor-enrolment.png"), full_page=True)
    secret = page.inner_text("#totp-secret").strip()
    page.fill("#id_code", code(secret))
    page.click("#second-factor-form input[type=submit]")
    assert page.locator("#recovery-codes li").count() == 10
    page.click("text=Continue to the admin")
    page.wait_for_selector("#user-tools")
    assert TOTPDevice.objects.get(user=staff).confirmed

    page.click("#logout-form button")
    page.wait_for_selector("text=Logged out")
    submit_login(page, base, staff.username)
    page.wait_for_selector("text=Enter the code your authenticator app shows now")
    submit_login(page, base, staff.username, code(secret, steps_ahead=1))
    page.wait_for_selector("#user-tools")
    assert "/admin/second-factor/" not in page.url
