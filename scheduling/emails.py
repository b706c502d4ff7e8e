"""The appointment emails: a reminder, a booking confirmation and a
cancellation notice, each text + HTML with the visit as an `.ics` file.

Every message names its kind in `X-Clinic-Email` (API.md). Each is written in
its client's `language`, the visit's time in the clinic's zone (TIME_ZONE) and
in that language's date and time formats (Django's locale formats)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext_lazy as _
from icalendar import Calendar, Event

from scheduling.models import Appointment

REMINDER = "reminder"
CONFIRMATION = "confirmation"
CANCELLATION = "cancellation"

SUBJECTS = {
    REMINDER: _("Reminder: your appointment on %(when)s"),
    CONFIRMATION: _("Your appointment on %(when)s is booked"),
    CANCELLATION: _("Your appointment on %(when)s is cancelled"),
}


def local_start(appointment: Appointment) -> datetime:
    """The visit's start in the clinic's zone (TIME_ZONE)."""
    return timezone.localtime(appointment.starts_at, ZoneInfo(settings.TIME_ZONE))


def spelled_out(moment: datetime) -> str:
    """`Monday, March 1, 2027, 2:30 p.m.`, `Montag, 1. März 2027, 14:30 Uhr`:
    the weekday, date and time in the active language's formats."""
    return _("%(weekday)s, %(date)s, %(time)s") % {
        "weekday": date_format(moment, "l"),
        "date": date_format(moment, "DATE_FORMAT"),
        "time": time_format(moment, "TIME_FORMAT"),
    }


def appointment_ics(appointment: Appointment, *, cancelled: bool = False) -> bytes:
    """The visit as an iCalendar file; a cancellation carries METHOD:CANCEL for the same UID."""
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.CLINIC_NAME}//Appointments//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = Event()
    event.add("uid", f"appointment-{appointment.pk}@clinic")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", appointment.starts_at)
    event.add("dtend", appointment.ends_at)
    summary = _("Appointment with %(doctor)s at %(clinic)s")
    event.add("summary", summary % {"doctor": doctor_name(appointment), "clinic": settings.CLINIC_NAME})
    event.add("location", settings.CLINIC_ADDRESS)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("sequence", int(appointment.updated_at.timestamp()) if appointment.updated_at else 0)
    calendar.add_component(event)
    return calendar.to_ical()


def doctor_name(appointment: Appointment) -> str:
    doctor = appointment.doctor
    return doctor.full_name or doctor.username


def build_email(kind: str, appointment: Appointment) -> EmailMultiAlternatives:
    """The `kind` email about `appointment`, addressed to its client (who must
    have an email), in the client's language."""
    with translation.override(appointment.client.language):
        return _build_email(kind, appointment)


def _build_email(kind: str, appointment: Appointment) -> EmailMultiAlternatives:
    starts = local_start(appointment)
    context = {
        "language": translation.get_language(),
        "clinic_name": settings.CLINIC_NAME,
        "clinic_address": settings.CLINIC_ADDRESS,
        "client_first_name": appointment.client.first_name,
        "doctor_name": doctor_name(appointment),
        "starts_at": starts,
        "when": spelled_out(starts),
        "time_zone": settings.TIME_ZONE,
        "duration_minutes": appointment.duration_minutes,
        "cancel_hours": settings.PATIENT_CANCEL_HOURS,
        "portal_url": settings.FRONTEND_URL,
    }
    subject = SUBJECTS[kind] % {"when": date_format(starts, "SHORT_DATETIME_FORMAT")}
    message = EmailMultiAlternatives(
        subject=f"{settings.CLINIC_NAME}: {subject}",
        body=render_to_string(f"emails/{kind}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[appointment.client.email],
        headers={"X-Clinic-Email": kind},
    )
    message.attach_alternative(render_to_string(f"emails/{kind}.html", context), "text/html")
    message.attach(
        "appointment.ics",
        appointment_ics(appointment, cancelled=kind == CANCELLATION),
        "text/calendar",
    )
    return message


def send_appointment_email(kind: str, appointment: Appointment) -> None:
    """Send it now; SMTP errors propagate so the RQ job can retry."""
    build_email(kind, appointment).send(fail_silently=False)
