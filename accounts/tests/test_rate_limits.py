"""LOGIN_RATE per account, LOGIN_IP_RATE per client IP (API.md, "Configuration")."""

import pytest

from accounts import ratelimits
from accounts.models import User
from accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(rates):
    rates.LOGIN_RATE = "3/m"
    return rates


def login(api, username, password="wrong", **extra):  # noqa: S107
    return api().post("/api/v1/auth/login", {"username": username, "password": password}, **extra)


def assert_throttled(response):
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert 1 <= int(response["Retry-After"]) <= 60


def test_login_is_limited_per_account_whatever_the_address(api, world, rates):
    variants = [world.patient.username, world.patient.username.upper(), f"  {world.patient.username} "]
    for n, name in enumerate(variants):
        assert login(api, name, REMOTE_ADDR=f"10.0.0.{n}").status_code == 401
    assert_throttled(login(api, world.patient.username, PASSWORD, REMOTE_ADDR="10.0.0.9"))
    assert login(api, world.other_patient.username, PASSWORD).status_code == 200


def test_login_is_limited_per_ip(api, world, rates):
    rates.LOGIN_RATE, rates.LOGIN_IP_RATE = "100/m", "3/m"
    for n in range(3):
        assert login(api, f"someone{n}").status_code == 401
    assert_throttled(login(api, world.patient.username, PASSWORD))
    assert login(api, world.patient.username, PASSWORD, REMOTE_ADDR="192.0.2.50").status_code == 200


def test_a_spoofed_forwarded_for_does_not_reset_the_count_without_proxies(api, world, rates):
    rates.LOGIN_RATE, rates.LOGIN_IP_RATE = "100/m", "3/m"
    for n in range(3):
        assert login(api, f"someone{n}", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code == 401
    assert_throttled(login(api, "someone", HTTP_X_FORWARDED_FOR="198.51.100.99"))


def test_a_spoofed_forwarded_for_does_not_reset_the_count_behind_one_proxy(api, world, rates):
    rates.LOGIN_RATE, rates.LOGIN_IP_RATE, rates.TRUSTED_PROXY_COUNT = "100/m", "3/m", 1
    for n in range(3):
        spoofed = f"198.51.100.{n}, 203.0.113.7"  # the client's made-up hop, then our proxy's
        assert login(api, f"someone{n}", HTTP_X_FORWARDED_FOR=spoofed).status_code == 401
    assert_throttled(login(api, "someone", HTTP_X_FORWARDED_FOR="198.51.100.99, 203.0.113.7"))
    assert login(api, "someone", HTTP_X_FORWARDED_FOR="203.0.113.8").status_code == 401  # another client


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/auth/register", {"email": "x@x.test", "username": "", "password": "p"}),
        ("/api/v1/auth/refresh", {"refresh_token": "garbage"}),
        ("/api/v1/auth/password/reset", {"email": "nobody@x.test"}),
        ("/api/v1/auth/password/reset/confirm", {"uid": "x", "token": "y", "new_password": "z"}),
    ],
)
def test_other_public_endpoints_are_limited_per_ip(api, db, rates, path, body):
    rates.LOGIN_IP_RATE = "3/m"
    for _ in range(3):
        assert api().post(path, body).status_code in {400, 401, 202}
    assert_throttled(api().post(path, body))
    assert User.objects.count() == 0


def test_password_reset_is_limited_per_account(api, world, rates):
    for n in range(3):
        response = api().post(
            "/api/v1/auth/password/reset", {"email": world.patient.email}, REMOTE_ADDR=f"10.1.0.{n}"
        )
        assert response.status_code == 202
    assert_throttled(api().post("/api/v1/auth/password/reset", {"email": world.patient.email.upper()}))


def test_without_redis_logins_are_still_limited_per_process(api, world, rates, redis_unreachable, one_window):
    ratelimits._fallback.clear()
    for _ in range(3):
        assert login(api, world.staff.username).status_code == 401
    assert_throttled(login(api, world.staff.username, PASSWORD))
    assert login(api, world.doctor.username, PASSWORD).status_code == 200
