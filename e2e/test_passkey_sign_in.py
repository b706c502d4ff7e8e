# ruff: noqa: S101 (pytest asserts, as in every app's tests/)
"""Passkeys in the admin, in a real browser: Chromium's virtual authenticator
(the DevTools protocol's WebAuthn domain, reached through a CDP session)
stands in for the laptop's fingerprint reader. A doctor adds a passkey on
their second-factor page, signs out, and signs in with the password and the
passkey; the password alone no longer does."""

import pytest

from accounts.models import AuditAction, AuditEvent, Passkey
from accounts.tests.factories import PASSWORD, DoctorFactory

pytestmark = pytest.mark.django_db(transaction=True)


def virtual_authenticator(page) -> None:
    session = page.context.new_cdp_session(page)
    session.send("WebAuthn.enable")
    options = {
        "protocol": "ctap2",
        "transport": "internal",
        "hasResidentKey": True,
        "hasUserVerification": True,
        "isUserVerified": True,
        "automaticPresenceSimulation": True,
    }
    session.send("WebAuthn.addVirtualAuthenticator", {"options": options})


def fill_login(page, base: str, username: str) -> None:
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)


def test_add_a_passkey_then_sign_in_with_it(page, live_server, settings, artifacts):
    settings.WEBAUTHN_RP_ID = "localhost"  # live_server's host
    doctor = DoctorFactory(username="drpasskey")
    base = live_server.url
    virtual_authenticator(page)

    fill_login(page, base, doctor.username)
    page.click("input[type=submit]")
    page.wait_for_selector("#user-tools")
    page.click("#second-factor-link")
    page.fill("#id_passkey_name", "Consulting room laptop")
    page.click("#add-passkey")
    page.wait_for_selector("text=Passkey “Consulting room laptop” added.")
    assert page.locator("#passkeys tbody tr").count() == 1
    page.screenshot(path=str(artifacts / "second-factor-passkeys.png"), full_page=True)
    assert Passkey.objects.get(user=doctor).name == "Consulting room laptop"

    page.click("#logout-form button")
    page.wait_for_selector("text=Logged out")
    fill_login(page, base, doctor.username)
    page.click("input[type=submit]")
    page.wait_for_selector("text=or use your passkey")  # the password alone is not enough

    fill_login(page, base, doctor.username)
    page.click("#use-passkey")
    page.wait_for_selector("#user-tools")
    assert Passkey.objects.get(user=doctor).last_used_at is not None
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, actor=doctor).count() == 2
