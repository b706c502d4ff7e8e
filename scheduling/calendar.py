"""iCalendar for appointments, and the private subscription URLs.

Events hold times, the client's initials and the status (and, in the
calendars of staff and admins, who see every doctor's, the doctor's name): no
client names, reasons or notes, since a subscription URL ends up in calendar
apps and their clouds.
"""

import hashlib
import secrets

from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from accounts.models import User
from config.fields import parse_id
from scheduling import selectors
from scheduling.models import CalendarFeed, Status

ICS_STATUS = {Status.CONFIRMED: "CONFIRMED", Status.CHECKED_IN: "CONFIRMED", Status.COMPLETED: "CONFIRMED"}


def initials(client) -> str:
    return "".join(f"{part[:1].upper()}." for part in (client.first_name, client.last_name) if part)


def build_calendar(appointments, *, name_doctors: bool = False) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Clinic//Appointments//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("Clinic appointments"))
    stamp = timezone.now()
    for appointment in appointments:
        status = str(Status(appointment.status).label).lower()
        summary = _("Appointment %(initials)s (%(status)s)") % {
            "initials": initials(appointment.client),
            "status": status,
        }
        event = Event()
        event.add("uid", f"appointment-{appointment.pk}@clinic")
        event.add("dtstamp", stamp)
        event.add("dtstart", appointment.starts_at)
        event.add("dtend", appointment.ends_at)
        event.add("summary", f"{appointment.doctor}: {summary}" if name_doctors else summary)
        event.add("status", ICS_STATUS.get(appointment.status, "TENTATIVE"))
        calendar.add_component(event)
    return calendar.to_ical()


def calendar_for(user, doctor_id: int | None) -> bytes:
    """The calendar `user` may see, narrowed to one doctor when `doctor_id` is
    given; staff and admins see every doctor's, so each event names its doctor."""
    appointments = selectors.calendar_appointments(user, doctor_id)
    if user.is_clinic_staff:
        return build_calendar(appointments.select_related("doctor"), name_doctors=True)
    return build_calendar(appointments)


def parse_doctor_id(value: str | None) -> int | None:
    """`?doctor=` as an id; raises ValueError when it is not one."""
    if value is None:
        return None
    doctor_id = parse_id(value)
    if doctor_id is None:
        raise ValueError("not an id")
    return doctor_id


def feed_doctor_id(user, value: str | None) -> int | None:
    """A subscription feed's `?doctor=`: none (the whole calendar), or an active
    doctor whose appointments `user` may see, else Http404. A feed answers
    calendar apps, not people: there is no error body to explain a 400."""
    try:
        doctor_id = parse_doctor_id(value)
    except ValueError:
        raise Http404 from None
    if doctor_id is None:
        return None
    if user.is_doctor and doctor_id != user.pk:
        raise Http404
    if not User.objects.active_doctors().filter(pk=doctor_id).exists():
        raise Http404
    return doctor_id


# Subscription tokens


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_path(token: str) -> str:
    return reverse("calendar-feed-ics", kwargs={"token": token})


def _with_new_token(feed: CalendarFeed) -> CalendarFeed:
    feed.token = secrets.token_urlsafe(32)
    feed.token_hash = _hash(feed.token)
    return feed


def _reissue(feed: CalendarFeed) -> None:
    _with_new_token(feed).save(update_fields=["token", "token_hash", "created_at"])  # created_at: auto_now


def _locked_feed(user) -> CalendarFeed:
    """The user's feed row, locked until the transaction ends: made if missing
    (a racing first request finds the winner's row instead of an IntegrityError)
    and given a new token if its own was revoked."""
    locked = CalendarFeed.objects.select_for_update(of=("self",)).select_related("user")
    feed = locked.filter(user=user).first()
    if feed is None:
        CalendarFeed.objects.bulk_create([_with_new_token(CalendarFeed(user=user))], ignore_conflicts=True)
        feed = locked.get(user=user)
    if feed.is_revoked():
        _reissue(feed)
    return feed


def get_or_create_feed_token(user) -> str:
    """The user's current subscription token: made on first use, and anew after
    their credentials changed (password change or reset, deactivation)."""
    with transaction.atomic():
        return _locked_feed(user).token


def rotate_feed_token(user) -> str:
    """A new token for the user; the old URL stops working at once. Rotations
    that race (a double click) share one new token rather than kill each other's:
    only the token seen before waiting for the lock is replaced."""
    seen = CalendarFeed.objects.filter(user=user).values_list("token_hash", flat=True).first()
    with transaction.atomic():
        feed = _locked_feed(user)
        if seen is not None and feed.token_hash == seen:
            _reissue(feed)
        return feed.token


def feed_owner(token: str):
    """The active user a live subscription token belongs to, or None."""
    feed = CalendarFeed.objects.select_related("user").filter(token_hash=_hash(token)).first()
    if feed is None or not feed.user.is_active or feed.is_revoked():
        return None
    return feed.user
