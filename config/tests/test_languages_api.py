"""The API answers in the language asked (API.md, "Languages"): `detail`
follows Accept-Language, then the caller's own `language`; `code` never
changes; Content-Language names the language used."""

import pytest

from accounts.models import User

INVALID_CREDENTIALS = {
    "en": "Unable to sign in with these credentials.",
    "de": "Mit diesen Zugangsdaten ist keine Anmeldung möglich.",
    "fr": "Impossible de se connecter avec ces identifiants.",
    "es": "No es posible iniciar sesión con estas credenciales.",
}
NOT_FOUND = {"en": "Not found.", "de": "Nicht gefunden.", "fr": "Introuvable.", "es": "No encontrado."}


def speaking(user: User, language: str) -> User:
    user.language = language
    user.save(update_fields=["language"])
    return user


def wrong_sign_in(api, **headers):
    return api().post("/api/v1/auth/login", {"username": "nobody", "password": "wrong"}, **headers)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["de", "fr", "es"])
def test_a_domain_error_follows_accept_language(api, language):
    response = wrong_sign_in(api, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 401
    assert response.json() == {"detail": INVALID_CREDENTIALS[language], "code": "invalid_credentials"}
    assert response["Content-Language"] == language
    assert "Accept-Language" in response["Vary"]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["de", "fr", "es"])
def test_a_json_404_outside_drf_follows_accept_language(api, language):
    response = api().get("/api/v2/nothing", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    assert response.json() == {"detail": NOT_FOUND[language], "code": "not_found"}
    assert response["Content-Language"] == language


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("de-AT,de;q=0.9,en;q=0.5", "de"),
        ("ja, pt-BR;q=0.8, fr;q=0.5", "fr"),
        ("ja", "en"),
        ("xx-YY", "en"),
        ("", "en"),
    ],
)
def test_the_best_supported_language_is_used_else_english(api, header, expected):
    response = wrong_sign_in(api, HTTP_ACCEPT_LANGUAGE=header)
    assert response.status_code == 401 and response.json()["code"] == "invalid_credentials"
    assert response.json()["detail"] == INVALID_CREDENTIALS[expected]
    assert response["Content-Language"] == expected


@pytest.mark.parametrize("language", ["de", "fr", "es"])
def test_without_accept_language_the_callers_language_is_used(api, world, language):
    response = api(speaking(world.patient, language)).get("/api/v1/clients/999999")
    assert response.status_code == 404
    assert response.json() == {"detail": NOT_FOUND[language], "code": "not_found"}
    assert response["Content-Language"] == language


@pytest.mark.parametrize("header", ["*", " "])
def test_a_header_that_names_no_language_leaves_the_callers(api, world, header):
    response = api(speaking(world.patient, "fr")).get("/api/v1/clients/999999", HTTP_ACCEPT_LANGUAGE=header)
    assert response.json()["detail"] == NOT_FOUND["fr"] and response["Content-Language"] == "fr"


def test_accept_language_wins_over_the_callers_language(api, world):
    response = api(speaking(world.patient, "fr")).get("/api/v1/clients/999999", HTTP_ACCEPT_LANGUAGE="es")
    assert response.json() == {"detail": NOT_FOUND["es"], "code": "not_found"}
    assert response["Content-Language"] == "es"


def test_an_unsupported_accept_language_is_english_even_for_a_german_caller(api, world):
    response = api(speaking(world.patient, "de")).get("/api/v1/clients/999999", HTTP_ACCEPT_LANGUAGE="ja")
    assert response.json() == {"detail": NOT_FOUND["en"], "code": "not_found"}
    assert response["Content-Language"] == "en"


def test_a_success_names_its_language_too(api, world):
    response = api(speaking(world.doctor, "es")).get("/api/v1/auth/me")
    assert response.status_code == 200 and response.json()["language"] == "es"
    assert response["Content-Language"] == "es"


def test_validation_errors_translate_detail_and_messages_but_not_the_code(api, world):
    caller = api(speaking(world.patient, "de"))
    response = caller.patch("/api/v1/users/me", {"language": "xx"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error" and body["detail"] == "Ungültige Eingabe."
    [message] = body["errors"]["language"]
    assert "xx" in message and "not a valid choice" not in message  # DRF's own German
    world.patient.refresh_from_db()
    assert world.patient.language == "de"


def test_a_detail_a_service_passes_is_translated(api, world):
    response = api(speaking(world.staff, "es")).post("/api/v1/auth/mfa/totp/confirm", {"code": "123456"})
    assert response.status_code == 400
    assert response.json() == {
        "detail": "No hay ninguna aplicación de autenticación pendiente: empiece con POST auth/mfa/totp.",
        "code": "invalid_mfa_code",
    }


def test_the_enrolment_refusal_speaks_the_callers_language(api, world, settings):
    settings.MFA_REQUIRED_ROLES = ["staff"]
    response = api(speaking(world.staff, "fr")).get("/api/v1/clients")
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Configurez un second facteur (auth/mfa) avant d\u2019utiliser le reste de l\u2019API.",
        "code": "mfa_enrollment_required",
    }


def test_a_permission_refusal_with_a_field_list_is_translated(api, world):
    response = api(world.doctor).patch(
        f"/api/v1/clients/{world.client.pk}", {"phone": "1"}, HTTP_ACCEPT_LANGUAGE="de"
    )
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Sie dürfen diese Felder nicht ändern: phone.",
        "code": "permission_denied",
    }


def test_a_bad_token_is_refused_in_the_header_language(api):
    client = api()
    client.credentials(HTTP_AUTHORIZATION="Bearer garbage")
    response = client.get("/api/v1/auth/me", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 401
    assert response.json() == {"detail": "Le jeton est invalide", "code": "token_not_valid"}


@pytest.mark.django_db
def test_the_schema_stays_english(api):
    response = api().get("/api/schema/?format=json", HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    text = response.content.decode()
    assert "Vorname" not in text and "Sprache" not in text
    schemas = response.json()["components"]["schemas"]
    assert schemas["User"]["properties"]["language"]["allOf"] == [
        {"$ref": "#/components/schemas/LanguageEnum"}
    ]
    assert schemas["LanguageEnum"]["enum"] == ["en", "de", "fr", "es"]


@pytest.mark.django_db
def test_probes_skip_the_negotiation(client):
    response = client.get("/health/live", HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 200
    assert "Content-Language" not in response and "Accept-Language" not in response.get("Vary", "")
