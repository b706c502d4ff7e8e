"""iCalendar for appointments, and the private subscription URLs.

Events hold times, the client's initials and the status: no names, reasons
or notes, since a subscription URL ends up in calendar apps and their clouds.
"""

import hashlib
import secrets

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from scheduling.models import CalendarFeed, Status

ICS_STATUS = {Status.CONFIRMED: "CONFIRMED", Status.CHECKED_IN: "CONFIRMED", Status.COMPLETED: "CONFIRMED"}


def initials(client) -> str:
    return "".join(f"{part[:1].upper()}." for part in (client.first_name, client.last_name) if part)


def build_calendar(appointments) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Clinic//Appointments//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Clinic appointments")
    stamp = timezone.now()
    for appointment in appointments:
        event = Event()
        event.add("uid", f"appointment-{appointment.pk}@clinic")
        event.add("dtstamp", stamp)
        event.add("dtstart", appointment.starts_at)
        event.add("dtend", appointment.ends_at)
        event.add("summary", f"Appointment {initials(appointment.client)} ({appointment.status})")
        event.add("status", ICS_STATUS.get(appointment.status, "TENTATIVE"))
        calendar.add_component(event)
    return calendar.to_ical()


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_path(token: str) -> str:
    return reverse("calendar-feed-ics", kwargs={"token": token})


def get_or_create_feed_token(user) -> str:
    """The user's current subscription token, made on first use."""
    token = secrets.token_urlsafe(32)
    feed, _ = CalendarFeed.objects.get_or_create(
        user=user, defaults={"token": token, "token_hash": _hash(token)}
    )
    return feed.token


def rotate_feed_token(user) -> str:
    """A new token for the user; the old URL stops working at once."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        CalendarFeed.objects.update_or_create(
            user=user, defaults={"token": token, "token_hash": _hash(token)}
        )
    return token


def feed_owner(token: str):
    """The active user a subscription token belongs to, or None."""
    feed = CalendarFeed.objects.select_related("user").filter(token_hash=_hash(token)).first()
    if feed is None or not feed.user.is_active:
        return None
    return feed.user
