"""Each appointment email in each language (API.md, "Languages"): written in
the client's `language`, the visit's time in the clinic's zone and in that
language's date formats, sent through the reminder job's own path."""

from datetime import UTC, datetime

import pytest
from django.core import mail
from django.utils import timezone, translation
from icalendar import Calendar

from scheduling.reminders import delivery
from scheduling.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db

STARTS = datetime(2030, 3, 4, 13, 30, tzinfo=UTC)  # a Monday; 14:30 in Paris
SHORT = {
    "en": "03/04/2030 2:30 p.m.",
    "de": "04.03.2030 14:30",
    "fr": "04/03/2030 14:30",
    "es": "04/03/2030 14:30",
}
LONG = {
    "en": "Monday, March 4, 2030, 2:30 p.m. (Europe/Paris)",
    "de": "Montag, 4. März 2030, 14:30 Uhr (Europe/Paris)",
    "fr": "lundi 4 mars 2030 à 14:30 (Europe/Paris)",
    "es": "lunes, 4 de marzo de 2030, a las 14:30 (Europe/Paris)",
}
SUBJECTS = {
    "reminder": {
        "en": "Reminder: your appointment on {}",
        "de": "Erinnerung: Ihr Termin am {}",
        "fr": "Rappel : votre rendez-vous du {}",
        "es": "Recordatorio: su cita del {}",
    },
    "confirmation": {
        "en": "Your appointment on {} is booked",
        "de": "Ihr Termin am {} ist gebucht",
        "fr": "Votre rendez-vous du {} est réservé",
        "es": "Su cita del {} está reservada",
    },
    "cancellation": {
        "en": "Your appointment on {} is cancelled",
        "de": "Ihr Termin am {} wurde abgesagt",
        "fr": "Votre rendez-vous du {} est annulé",
        "es": "Su cita del {} ha sido cancelada",
    },
}
GREETING = {"en": "Hello Ana,", "de": "Guten Tag Ana,", "fr": "Bonjour Ana,", "es": "Hola, Ana:"}
WHERE = {"en": "Where:", "de": "Wo:", "fr": "Lieu :", "es": "Dónde:"}
CALENDAR_SUMMARY = {
    "en": "Appointment with Dr Who at Harbour Clinic",
    "de": "Termin bei Dr Who in Harbour Clinic",
    "fr": "Rendez-vous avec Dr Who à Harbour Clinic",
    "es": "Cita con Dr Who en Harbour Clinic",
}


@pytest.fixture(autouse=True)
def clinic(settings):
    settings.TIME_ZONE = "Europe/Paris"
    settings.CLINIC_NAME = "Harbour Clinic"


def appointment_in(language: str, **fields):
    visit = AppointmentFactory(starts_at=STARTS, doctor__full_name="Dr Who", **fields)
    visit.client.first_name, visit.client.language = "Ana", language
    visit.client.save()
    return visit


def send(kind: str, visit) -> None:
    if kind == "reminder":
        reminder = visit.reminders.create(offset_minutes=60, scheduled_for=timezone.now())
        assert delivery.deliver_reminder(reminder_id=reminder.pk) == "sent"
    else:
        assert delivery.deliver_appointment_email(kind=kind, appointment_id=visit.pk) == "sent"


@pytest.mark.parametrize("language", ["en", "de", "fr", "es"])
@pytest.mark.parametrize("kind", ["reminder", "confirmation", "cancellation"])
def test_each_email_is_written_in_the_clients_language(kind, language):
    visit = appointment_in(language, status="cancelled" if kind == "cancellation" else "scheduled")
    send(kind, visit)
    [email] = mail.outbox
    assert email.extra_headers["X-Clinic-Email"] == kind and email.to == [visit.client.email]
    assert email.subject == "Harbour Clinic: " + SUBJECTS[kind][language].format(SHORT[language])
    [(html, _type)] = email.alternatives
    for text in (email.body, html):
        assert GREETING[language] in text and LONG[language] in text and "Dr Who" in text
    assert WHERE[language] in email.body
    assert f'<html lang="{language}">' in html
    event = Calendar.from_ical(email.attachments[0][1]).walk("VEVENT")[0]
    assert str(event["summary"]) == CALENDAR_SUMMARY[language]


def test_the_confirmation_counts_minutes_in_the_clients_language():
    send("confirmation", appointment_in("de", duration_minutes=45))
    assert "45 Minuten" in mail.outbox[0].body


def test_an_email_leaves_the_senders_language_as_it_was():
    translation.activate("fr")
    send("confirmation", appointment_in("de"))
    assert translation.get_language() == "fr"
