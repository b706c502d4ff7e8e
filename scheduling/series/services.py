"""Writes of a series: booking all its visits or none, and cancelling the rest
of it. Every rule of a single booking is scheduling.services', applied to
each occurrence."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from accounts.audit import record_event
from accounts.models import AuditAction
from config.exceptions import DomainError
from config.representation import iso_datetime
from scheduling import services
from scheduling.exceptions import ClientBusy, OutsideWorkingHours, RoomTaken, SlotTaken
from scheduling.models import Appointment, Status
from scheduling.series.exceptions import SeriesConflict
from scheduling.series.models import AppointmentSeries
from scheduling.series.rules import occurrences

# What a single booking checks that depends on when the visit is: reported
# per occurrence. Everything else (an archived client, a type that needs a
# room) is the same for every visit and refuses the series as it would one visit.
TIMED_REFUSALS = (OutsideWorkingHours,)
OVERLAPS = (SlotTaken, ClientBusy, RoomTaken)


def create_series(*, client, doctor, starts_at: datetime, rrule: str, created_by, request=None, **booking):
    """Book every visit `rrule` makes from `starts_at`, or none: a refused
    occurrence raises SeriesConflict listing each one's start and code.
    `booking`: the rest of `new_booking`'s arguments (duration, type, room, reason)."""
    planned = []
    conflicts = []
    for moment in occurrences(rrule, starts_at):
        try:
            planned.append(
                services.new_booking(
                    client=client, doctor=doctor, starts_at=moment, created_by=created_by, **booking
                )
            )
        except TIMED_REFUSALS as refusal:
            conflicts.append(_conflict(moment, refusal))
    with transaction.atomic():
        series = AppointmentSeries.objects.create(
            client=client, doctor=doctor, rrule=rrule, created_by=created_by
        )
        for number, appointment in enumerate(planned):
            appointment.series = series
            if refusal := _save_or_refusal(appointment, request, confirm=number == 0):
                conflicts.append(_conflict(appointment.starts_at, refusal))
        if conflicts:
            raise SeriesConflict(_listed(conflicts))
        record_event(action=AuditAction.CREATE, actor=created_by, obj=series, request=request)
    return series


def _save_or_refusal(appointment: Appointment, request, *, confirm: bool) -> DomainError | None:
    """Save one occurrence in its own savepoint; the database's refusal (an
    overlap with another visit, or with an earlier occurrence) is returned, in
    API.md's order: the doctor's time before the client's."""
    try:
        with transaction.atomic():
            services.save_booking(appointment, request=request, confirm=confirm)
    except OVERLAPS as refusal:
        if isinstance(refusal, ClientBusy) and services.doctor_busy_too(appointment):
            return SlotTaken()
        return refusal
    return None


def _conflict(moment: datetime, refusal: DomainError) -> tuple[datetime, str]:
    return moment, refusal.default_code


def _listed(conflicts: list[tuple[datetime, str]]) -> list[dict]:
    return [{"starts_at": iso_datetime(moment), "code": code} for moment, code in sorted(conflicts)]


CANCELLABLE = (Status.SCHEDULED, Status.CONFIRMED)


def cancel_series(*, series: AppointmentSeries, since: datetime | None = None, by=None, request=None):
    """Cancel, in one transaction, every visit of `series` starting at or after
    `since` (default: now) that is still scheduled or confirmed; each as a
    single cancellation (reminders, notice, audit). Returns the series."""
    since = since or timezone.now()
    with transaction.atomic():
        visits = series.appointments.filter(starts_at__gte=since, status__in=CANCELLABLE)
        for appointment in visits.select_for_update().order_by("starts_at", "id"):
            services.cancel_appointment(appointment=appointment, by=by, request=request)
    return series
