"""Scheduling's own words in each language (API.md, "Languages"): booking
refusals, report errors and service messages follow Accept-Language, then the
caller's `language`, with `code` unchanged; the reports admin page, the
record PDF, the day-schedule PDF and the calendar speak the caller's language."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar
from pypdf import PdfReader

from accounts.models import User
from scheduling.models import Appointment, Status
from scheduling.tests.factories import AppointmentFactory, next_slot
from scheduling.tests.helpers import at, booking, future_weekday, give_hours

pytestmark = pytest.mark.django_db

URL = "/api/v1/appointments/"
REPORT = "/api/v1/reports/utilization"

SLOT_TAKEN = {
    "de": "Die Ärztin oder der Arzt hat zu dieser Zeit bereits einen Termin.",
    "fr": "Le médecin a déjà un rendez-vous à cette heure-là.",
    "es": "El médico ya tiene una cita a esa hora.",
}
OUTSIDE_HOURS = {
    "de": "Der Termin liegt außerhalb der Arbeitszeit der Ärztin oder des Arztes oder in einer Abwesenheit.",
    "fr": "Le rendez-vous est en dehors des heures de travail du médecin ou pendant une absence.",
    "es": "La cita está fuera del horario laboral del médico o dentro de una ausencia.",
}
RANGE_TOO_LONG = {
    "de": "Der Zeitraum ist länger als 366 Tage.",
    "fr": "La période dépasse 366 jours.",
    "es": "El periodo supera los 366 días.",
}
CANNOT_CANCEL_COMPLETED = {
    "de": "Ein Termin mit dem Status „abgeschlossen“ kann nicht abgesagt werden.",
    "fr": "Impossible d\u2019annuler un rendez-vous au statut « terminé ».",
    "es": "No se puede cancelar una cita con el estado «completada».",
}
PAST = {
    "de": "Darf nicht in der Vergangenheit liegen.",
    "fr": "Ne doit pas être dans le passé.",
    "es": "No puede estar en el pasado.",
}


def speaking(user: User, language: str) -> User:
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language
    return user


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.mark.parametrize("language", ["de", "fr", "es"])
def test_slot_taken_follows_accept_language_with_its_code(world, api, language):
    start = next_slot()
    AppointmentFactory(doctor=world.doctor, client=world.other_client, starts_at=start)
    response = api(world.staff).post(
        URL, booking(world, start + timedelta(minutes=15)), format="json", HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 409
    assert response.json() == {"detail": SLOT_TAKEN[language], "code": "slot_taken"}
    assert response["Content-Language"] == language
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize("language", ["de", "fr", "es"])
def test_outside_working_hours_speaks_the_callers_language(world, api, language):
    give_hours(world.doctor, 0, "09:00", "17:00")
    payload = booking(world, at(future_weekday(0), 8, 30))
    response = api(speaking(world.staff, language)).post(URL, payload, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": OUTSIDE_HOURS[language], "code": "outside_working_hours"}
    assert response["Content-Language"] == language
    assert not Appointment.objects.exists()


@pytest.mark.parametrize("language", ["de", "fr", "es"])
def test_a_reports_range_too_long_is_translated_with_its_number(world, api, language):
    query = {"from": "2025-01-01", "to": "2026-01-02"}
    response = api(world.staff).get(REPORT, query, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    assert response.json() == {"detail": RANGE_TOO_LONG[language], "code": "range_too_long"}


def test_english_stays_the_default(world, api):
    response = api(world.staff).get(REPORT, {"from": "2025-01-01", "to": "2026-01-02"})
    assert response.status_code == 400
    assert response.json() == {"detail": "The range is longer than 366 days.", "code": "range_too_long"}
    assert response["Content-Language"] == "en"


@pytest.mark.parametrize("language", ["de", "fr", "es"])
def test_a_refused_transition_names_the_status_in_that_language(world, api, language):
    visit = AppointmentFactory(
        doctor=world.doctor, client=world.client, starts_at=next_slot(), status=Status.COMPLETED
    )
    response = api(world.staff).post(
        f"{URL}{visit.pk}/cancel", {}, format="json", HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 409
    assert response.json() == {"detail": CANNOT_CANCEL_COMPLETED[language], "code": "invalid_transition"}
    visit.refresh_from_db()
    assert visit.status == Status.COMPLETED


@pytest.mark.parametrize("language", ["de", "fr", "es"])
def test_a_services_field_message_is_translated(world, api, language):
    payload = booking(world, timezone.now() - timedelta(days=1))
    response = api(speaking(world.staff, language)).post(URL, payload, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["errors"]["starts_at"] == [PAST[language]]
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("de", ["Zusammenfassung der Patientenakte", "Krankengeschichte", "Anstehende Termine", "Geplant"]),
        ("fr", ["Résumé du dossier patient", "Antécédents médicaux", "Rendez-vous à venir", "Planifié"]),
        ("es", ["Resumen del expediente del paciente", "Historial médico", "Próximas citas", "Programada"]),
    ],
)
def test_the_record_pdf_is_in_the_callers_language(world, api, language, words):
    AppointmentFactory(doctor=world.doctor, client=world.client, starts_at=next_slot(days=3))
    response = api(speaking(world.staff, language)).get(f"/api/v1/clients/{world.client.pk}/export.pdf")
    assert response.status_code == 200
    text = pdf_text(response.content)
    for word in words:
        assert word in text
    assert "Medical history" not in text


@pytest.mark.parametrize(
    ("language", "words"),
    [("de", ["Tagesplan:", "Keine Termine."]), ("fr", ["Planning du jour :", "Aucun rendez-vous."])],
)
def test_the_day_schedule_pdf_is_in_the_users_language(world, admin_as, language, words):
    response = admin_as(speaking(world.staff, language)).get("/admin/scheduling/appointment/day/pdf/")
    assert response.status_code == 200
    text = pdf_text(response.content)
    for word in words:
        assert word in text
    assert "Day schedule" not in text


@pytest.mark.parametrize(
    ("language", "title", "figure"),
    [
        ("de", "Auslastungsbericht", "Nichterscheinensquote"),
        ("fr", "Rapport d\u2019occupation", "Taux d\u2019absence"),
        ("es", "Informe de ocupación", "Tasa de ausencias"),
    ],
)
def test_the_reports_admin_page_is_in_the_users_language(world, admin_as, language, title, figure):
    response = admin_as(speaking(world.staff, language)).get("/admin/scheduling/appointment/reports/")
    assert response.status_code == 200
    assert response["Content-Language"] == language
    html = response.content.decode()
    assert title in html and figure in html
    assert "Utilization report" not in html and "No-show rate" not in html


def test_the_calendar_speaks_the_callers_language(world, api):
    AppointmentFactory(doctor=world.doctor, client=world.client, starts_at=next_slot())
    response = api(world.doctor).get(f"{URL}calendar.ics", HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["X-WR-CALNAME"]) == "Termine der Praxis"
    summaries = [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")]
    assert len(summaries) == 1 and summaries[0].startswith("Termin ") and summaries[0].endswith("(geplant)")
