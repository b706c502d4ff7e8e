"""The admin's own pages in each language (API.md, "Languages"): the project's
templates (index, day schedule, reports, appointment list, second factor,
sign-in, throttled) follow the signed-in user's `language`, the sign-in page
the browser's."""

import pytest
from django.test import Client as BrowserClient

from accounts.models import User
from scheduling.tests.factories import AppointmentFactory, next_slot

pytestmark = pytest.mark.django_db

PAGES = {
    "/admin/": {"de": "Tagesplan", "fr": "Planning du jour", "es": "Agenda del día"},
    "/admin/scheduling/appointment/day/": {
        "de": "Außerhalb der Arbeitszeit",
        "fr": "Hors des heures de travail",
        "es": "Fuera del horario laboral",
    },
    "/admin/scheduling/appointment/reports/": {
        "de": "Nichterscheinensquote",
        "fr": "Taux d\u2019absence",
        "es": "Tasa de ausencias",
    },
    "/admin/scheduling/appointment/": {
        "de": "Ausgewählte Termine bestätigen",
        "fr": "Confirmer les rendez-vous sélectionnés",
        "es": "Confirmar las citas seleccionadas",
    },
    "/admin/second-factor/": {
        "de": "Passkey hinzufügen",
        "fr": "Ajouter une clé d\u2019accès",
        "es": "Añadir una llave de acceso",
    },
    "/admin/clinic/client/": {
        "de": "Ausgewählte Akten archivieren",
        "fr": "Archiver les dossiers",
        "es": "Archivar",
    },
}


@pytest.mark.parametrize("language", ["de", "fr", "es"])
@pytest.mark.parametrize("path", list(PAGES))
def test_the_admins_pages_speak_the_users_language(world, admin_client, path, language):
    User.objects.filter(pk=world.admin.pk).update(language=language)
    AppointmentFactory(doctor=world.doctor, client=world.client, starts_at=next_slot(days=0, hour=9))
    response = admin_client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Language"] == language
    page = response.content.decode()
    assert PAGES[path][language] in page
    assert "Clinic admin" not in page  # the site's own name is translated too


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "Passkey verwenden"),
        ("fr", "Utiliser une clé d\u2019accès"),
        ("es", "Usar una llave de acceso"),
    ],
)
def test_the_sign_in_page_follows_the_browser(language, text):
    response = BrowserClient().get("/admin/login/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200 and response["Content-Language"] == language
    assert text in response.content.decode()


def test_the_throttled_sign_in_page_is_translated(world, settings):
    settings.LOGIN_RATE = "1/m"
    browser = BrowserClient()
    form = {"username": world.staff.username, "password": "wrong"}
    browser.post("/admin/login/", form, HTTP_ACCEPT_LANGUAGE="es")
    response = browser.post("/admin/login/", form, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 429
    assert "Demasiados intentos de inicio de sesión. Vuelva a intentarlo en" in response.content.decode()
