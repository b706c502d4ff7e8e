"""The admin's sign-in: the API's login rate limits and audit rows (API.md, "Auth")."""

import pytest
from django.test import Client as BrowserClient

from accounts import ratelimits
from accounts.models import AuditEvent
from accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def admin_login(browser, username, password="wrong", **extra):  # noqa: S107
    return browser.post("/admin/login/", {"username": username, "password": password}, **extra)


def assert_throttled_page(response):
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "text/html" in response["Content-Type"]
    assert b"Too many sign-in attempts" in response.content
    assert "_auth_user_id" not in response.wsgi_request.session


def actions() -> list[tuple]:
    return list(
        AuditEvent.objects.order_by("pk").values_list("action", "actor_id", "object_type", "object_id")
    )


def test_admin_login_is_limited_per_account_and_refuses_the_right_password(world, rates):
    browser = BrowserClient()
    for n in range(15):
        answer = admin_login(browser, world.admin.username, REMOTE_ADDR=f"10.0.0.{n}")
        assert answer.status_code == (200 if n < 2 else 429)
    right = admin_login(browser, world.admin.username, PASSWORD, REMOTE_ADDR="10.0.0.99")
    assert_throttled_page(right)
    assert browser.get("/admin/").status_code == 302  # still signed out
    assert actions() == [("login_failed", None, "user", "")] * 2


def test_admin_and_api_share_the_account_count(api, world, rates):
    assert (
        api().post("/api/v1/auth/login", {"username": world.admin.username, "password": "x"}).status_code
        == 401
    )
    assert admin_login(BrowserClient(), world.admin.email.upper()).status_code == 200
    assert_throttled_page(admin_login(BrowserClient(), world.admin.username, PASSWORD))
    response = api().post("/api/v1/auth/login", {"username": world.admin.username, "password": PASSWORD})
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"


def test_admin_login_is_limited_per_ip(world, rates):
    rates.LOGIN_RATE, rates.LOGIN_IP_RATE = "100/m", "2/m"
    browser = BrowserClient()
    for n in range(2):
        assert admin_login(browser, f"someone{n}").status_code == 200
    assert_throttled_page(admin_login(browser, world.admin.username, PASSWORD))
    other_address = admin_login(BrowserClient(), world.admin.username, PASSWORD, REMOTE_ADDR="192.0.2.50")
    assert other_address.status_code == 302


def test_admin_login_and_logout_are_audited_like_the_api(world, rates):
    browser = BrowserClient()
    failed = admin_login(
        browser, "nobody@clinic.test", REMOTE_ADDR="192.0.2.7", HTTP_X_REQUEST_ID="req-failed-1"
    )
    signed_in = admin_login(browser, world.admin.username, PASSWORD, REMOTE_ADDR="192.0.2.7")
    assert (failed.status_code, signed_in.status_code) == (200, 302)
    assert browser.get("/admin/").status_code == 200
    signed_out = browser.post("/admin/logout/", REMOTE_ADDR="192.0.2.7")
    assert signed_out.status_code == 200
    assert browser.get("/admin/").status_code == 302
    assert actions() == [
        ("login_failed", None, "user", ""),
        ("login", world.admin.pk, "user", str(world.admin.pk)),
        ("logout", world.admin.pk, "user", str(world.admin.pk)),
    ]
    events = list(AuditEvent.objects.order_by("pk"))
    assert {event.ip for event in events} == {"192.0.2.7"}
    assert events[0].request_id == failed["X-Request-ID"]
    assert events[1].request_id == signed_in["X-Request-ID"]
    assert all(event.request_id for event in events)
    assert "nobody" not in str([event.__dict__ for event in events])


def test_a_patient_signing_in_to_the_admin_is_a_failed_login(world, rates):
    response = admin_login(BrowserClient(), world.patient.username, PASSWORD)
    assert response.status_code == 200
    assert actions() == [("login_failed", None, "user", "")]


def test_without_redis_the_admin_login_is_still_limited_per_process(
    world, rates, redis_unreachable, one_window
):
    ratelimits._fallback.clear()
    for _ in range(2):
        assert admin_login(BrowserClient(), world.staff.username).status_code == 200
    assert_throttled_page(admin_login(BrowserClient(), world.staff.username, PASSWORD))
    assert actions() == [("login_failed", None, "user", "")] * 2
