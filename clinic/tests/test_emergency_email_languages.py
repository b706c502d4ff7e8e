"""The emergency access notice reaches each admin in their own language, the
times in the clinic's zone and that language's formats (API.md, "Languages")."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone, translation
from django.utils.formats import date_format

from accounts.tests.factories import AdminFactory
from clinic.emergency import notify_admins
from clinic.models import EmergencyAccess

pytestmark = pytest.mark.django_db

SUBJECT = {
    "en": "Emergency access to client record #{}",
    "de": "Notfallzugriff auf Patientenakte #{}",
    "fr": "Accès d’urgence au dossier patient #{}",  # noqa: RUF001 (French apostrophe)
}


def test_each_admin_is_told_in_their_language(world, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    german, french = AdminFactory(language="de"), AdminFactory(language="fr")
    grant = EmergencyAccess.objects.create(
        user=world.other_doctor,
        client=world.client,
        reason="x" * 20,
        expires_at=timezone.now() + timedelta(minutes=30),
    )
    assert notify_admins(grant.pk) == 3
    by_language = {"en": [world.admin.email], "de": [german.email], "fr": [french.email]}
    for message in mail.outbox:
        [language] = [code for code, to in by_language.items() if to == message.to]
        assert message.subject == SUBJECT[language].format(world.client.pk)
        with translation.override(language):
            start = date_format(
                timezone.localtime(grant.created_at, ZoneInfo("Europe/Berlin")), "SHORT_DATETIME_FORMAT"
            )
        assert start in message.body and "(Europe/Berlin)" in message.body
        assert world.client.first_name not in message.body
