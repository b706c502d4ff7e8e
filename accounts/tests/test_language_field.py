"""`User.language` (API.md, "Languages"): one of LANGUAGES, LANGUAGE_CODE by
default, set through the users API, registration and the admin; the admin
speaks it."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client as BrowserClient

from accounts import user_cache
from accounts.models import AuditAction, AuditEvent, User
from accounts.tests.factories import UserFactory
from accounts.tests.test_admin import change_form
from clinic.models import Client

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-passphrase-42"
BAD_LANGUAGES = ["xx", "DE", "de-DE", "german", "", None, 1, True, ["de"], {"code": "de"}]


def test_a_new_user_speaks_language_code(settings):
    assert UserFactory().language == "en"
    settings.LANGUAGE_CODE = "fr"
    assert UserFactory().language == "fr"


def test_the_column_has_a_database_default_for_the_previous_version(world):
    with connection.cursor() as cursor:  # a row written by code that knows no `language`
        cursor.execute(
            "INSERT INTO accounts_user (username, email, full_name, role, is_active, is_staff, is_superuser,"
            " password, date_joined, updated_at, mfa_enabled) VALUES ('old', 'old@x.test', '', 'patient',"
            " true, false, false, '!', now(), now(), false) RETURNING id"
        )
        (user_id,) = cursor.fetchone()
    assert User.objects.get(pk=user_id).language == "en"


def test_me_shows_and_changes_ones_own_language_without_a_password(api, world):
    caller = api(world.patient)
    assert caller.get("/api/v1/users/me").json()["language"] == "en"
    response = caller.patch("/api/v1/users/me", {"language": "de"})
    assert response.status_code == 200 and response.json()["language"] == "de"
    world.patient.refresh_from_db()
    assert world.patient.language == "de"
    assert AuditEvent.objects.get(action=AuditAction.UPDATE).fields == ["language"]
    assert response["Content-Language"] == "en"  # this answer was chosen before the change
    assert caller.get("/api/v1/auth/me")["Content-Language"] == "de"  # the cached user was forgotten


@pytest.mark.parametrize("value", BAD_LANGUAGES)
def test_a_language_outside_languages_is_400_and_nothing_changes(api, world, value):
    response = api(world.patient).patch("/api/v1/users/me", {"language": value, "full_name": "Changed"})
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error" and list(response.json()["errors"]) == ["language"]
    world.patient.refresh_from_db()
    assert world.patient.language == "en" and world.patient.full_name != "Changed"
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE).exists()


def test_an_admin_sets_a_users_language(api, world):
    response = api(world.admin).patch(f"/api/v1/users/{world.doctor.pk}", {"language": "es"})
    assert response.status_code == 200 and response.json()["language"] == "es"
    world.doctor.refresh_from_db()
    assert world.doctor.language == "es"
    assert api(world.admin).patch(f"/api/v1/users/{world.doctor.pk}", {"language": "pt"}).status_code == 400


def test_an_admin_creates_a_user_in_a_language(api, world):
    body = {
        "email": "n@x.test",
        "username": "nurse",
        "password": NEW_PASSWORD,
        "role": "staff",
        "language": "fr",
    }
    response = api(world.admin).post("/api/v1/users/", body)
    assert response.status_code == 201 and response.json()["language"] == "fr"
    assert User.objects.get(username="nurse").language == "fr"
    response = api(world.admin).post(
        "/api/v1/users/", {**body, "username": "n2", "email": "n2@x.test", "language": "it"}
    )
    assert response.status_code == 400 and list(response.json()["errors"]) == ["language"]
    assert not User.objects.filter(username="n2").exists()


def test_registration_takes_a_language_for_the_account_and_the_record(api, db):
    body = {
        "email": "ann@x.test",
        "username": "ann",
        "password": NEW_PASSWORD,
        "full_name": "Ann Lee",
        "language": "es",
    }
    response = api().post("/api/v1/auth/register", body)
    assert response.status_code == 201 and response.json()["user"]["language"] == "es"
    user = User.objects.get(username="ann")
    assert user.language == "es" and Client.objects.get(user=user).language == "es"


def test_registration_refuses_an_unknown_language_and_creates_nothing(api, db):
    body = {"email": "bo@x.test", "username": "bo", "password": NEW_PASSWORD, "language": "klingon"}
    response = api().post("/api/v1/auth/register", body)
    assert response.status_code == 400 and list(response.json()["errors"]) == ["language"]
    assert not User.objects.filter(username="bo").exists() and not Client.objects.exists()


def test_the_cached_user_carries_the_language(world):
    world.doctor.language = "fr"
    user_cache.remember(world.doctor)
    assert (
        user_cache.get_user(world.doctor.pk, cache.get(user_cache.user_key(world.doctor.pk))).language == "fr"
    )


def test_the_admin_changes_a_users_language(world, browser):
    response = browser.post(
        f"/admin/accounts/user/{world.staff.pk}/change/", change_form(world.staff, language="de")
    )
    assert response.status_code == 302
    world.staff.refresh_from_db()
    assert world.staff.language == "de"
    assert AuditEvent.objects.get(action=AuditAction.UPDATE).fields == ["language"]


def test_the_admin_refuses_an_unknown_language(world, browser):
    response = browser.post(
        f"/admin/accounts/user/{world.staff.pk}/change/", change_form(world.staff, language="xx")
    )
    assert response.status_code == 200 and "language" in response.context["adminform"].form.errors
    world.staff.refresh_from_db()
    assert world.staff.language == "en"


def test_a_post_without_the_select_keeps_the_language(world, browser):
    User.objects.filter(pk=world.staff.pk).update(language="es")
    world.staff.refresh_from_db()
    response = browser.post(
        f"/admin/accounts/user/{world.staff.pk}/change/", change_form(world.staff, role="doctor")
    )
    assert response.status_code == 302
    world.staff.refresh_from_db()
    assert world.staff.language == "es" and world.staff.role == "doctor"


def test_the_admin_speaks_its_users_language_whatever_the_browser_asks(world, browser):
    User.objects.filter(pk=browser.superuser.pk).update(language="de")
    response = browser.get("/admin/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200 and response["Content-Language"] == "de"
    page = response.content.decode()
    assert "Praxisverwaltung" in page and "Tagesplan" in page  # the project's own strings
    assert "Abmelden" in page  # and Django's admin's


def test_the_admin_user_page_names_fields_in_the_users_language(world, browser):
    User.objects.filter(pk=browser.superuser.pk).update(language="es")
    page = browser.get(f"/admin/accounts/user/{world.doctor.pk}/change/").content.decode()
    assert "Idioma" in page and "Nombre completo" in page and "Español" in page


def test_the_sign_in_page_follows_the_browser(db):
    response = BrowserClient().get("/admin/login/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response["Content-Language"] == "fr"
    assert "Utiliser une clé d\u2019accès" in response.content.decode()
