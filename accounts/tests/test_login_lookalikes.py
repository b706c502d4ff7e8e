"""LOGIN_RATE counts per account, however the login is spelled (API.md, "Configuration")."""

import pytest

from accounts.models import AuditEvent
from accounts.tests.factories import PASSWORD, AdminFactory

pytestmark = pytest.mark.django_db


def login(api, username, password="wrong", **extra):  # noqa: S107
    return api().post("/api/v1/auth/login", {"username": username, "password": password}, **extra)


@pytest.mark.parametrize("variant", ["adm\u0131n", "ADMIN", "Admin ", " aDmIn"])
def test_lookalikes_of_a_login_share_its_count(api, rates, variant):
    AdminFactory(username="admin", email="boss@clinic.test")
    for n in range(2):
        assert login(api, "admin", REMOTE_ADDR=f"10.0.0.{n}").status_code == 401
    response = login(api, variant, PASSWORD, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert 1 <= int(response["Retry-After"]) <= 60
    assert not AuditEvent.objects.filter(action="login").exists()


def test_the_email_of_an_account_shares_its_count(api, rates):
    AdminFactory(username="admin", email="boss@clinic.test")
    assert login(api, "admin").status_code == 401
    assert login(api, "BOSS@clinic.test").status_code == 401
    assert login(api, "admin", PASSWORD).status_code == 429


@pytest.mark.parametrize("variant", ["GHOST", "gho\u017ft", "\uff47\uff48\uff4f\uff53\uff54"])
def test_an_unknown_name_is_counted_after_nfkc_and_casefold(api, db, rates, variant):
    for _ in range(2):
        assert login(api, "ghost").status_code == 401
    response = login(api, variant)
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert AuditEvent.objects.filter(action="login_failed").count() == 2
