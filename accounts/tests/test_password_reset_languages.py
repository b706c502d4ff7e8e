"""The password reset email is written in the user's own language (API.md, "Languages")."""

import pytest
from django.core import mail
from django.utils import translation

from accounts import passwords
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SUBJECT = {
    "en": "Reset your clinic password",
    "de": "Setzen Sie Ihr Passwort für die Praxis zurück",
    "fr": "Réinitialisez votre mot de passe de la clinique",
    "es": "Restablezca su contraseña de la clínica",
}
GREETING = {
    "en": "Hello Ann Lee,",
    "de": "Guten Tag Ann Lee,",
    "fr": "Bonjour Ann Lee,",
    "es": "Hola, Ann Lee:",
}
LINK_TEXT = {
    "en": "Reset my password",
    "de": "Mein Passwort zurücksetzen",
    "fr": "Réinitialiser mon mot de passe",
    "es": "Restablecer mi contraseña",
}


@pytest.mark.parametrize("language", ["en", "de", "fr", "es"])
def test_the_reset_email_speaks_the_users_language(language):
    user = UserFactory(full_name="Ann Lee", language=language)
    translation.activate("fr" if language != "fr" else "de")  # the worker's own language does not leak in
    passwords.send_password_reset_emails(email=user.email)
    [email] = mail.outbox
    assert email.subject == SUBJECT[language]
    assert email.extra_headers["X-Clinic-Email"] == "password_reset"
    assert GREETING[language] in email.body and "/reset-password?uid=" in email.body
    [(html, _type)] = email.alternatives
    assert f'<html lang="{language}">' in html and LINK_TEXT[language] in html
