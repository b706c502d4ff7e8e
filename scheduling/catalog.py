"""Writes of the clinic's visit types and rooms (the API's admin routes and
the admin site): create, change, archive. Nothing is ever deleted: a booked
visit keeps its type and room, and archiving one only stops new bookings of
it. Booked visits keep the buffers copied at booking, so no change here moves
them, and availability is cached by duration and buffers, not by the type,
so there is nothing to invalidate either."""

from django.db import models, transaction

from accounts.audit import record_event
from accounts.models import AuditAction
from config.changes import apply_changes
from scheduling.models import AppointmentType, Room


def create_appointment_type(*, by=None, request=None, **fields) -> AppointmentType:
    return _create(AppointmentType(**fields), by=by, request=request)


def update_appointment_type(
    *, appointment_type: AppointmentType, changes: dict, by=None, request=None
) -> AppointmentType:
    """Change the type for bookings from now on (`active` true restores an archived one)."""
    return _update(appointment_type, changes, by=by, request=request)


def archive_appointment_type(*, appointment_type: AppointmentType, by=None, request=None) -> AppointmentType:
    """The API's DELETE: no new bookings of it; the visits that have it keep it."""
    return _archive(appointment_type, by=by, request=request)


def create_room(*, by=None, request=None, **fields) -> Room:
    return _create(Room(**fields), by=by, request=request)


def update_room(*, room: Room, changes: dict, by=None, request=None) -> Room:
    return _update(room, changes, by=by, request=request)


def archive_room(*, room: Room, by=None, request=None) -> Room:
    """The API's DELETE: no new bookings in it; the visits booked there keep it."""
    return _archive(room, by=by, request=request)


def _create(row: models.Model, *, by, request):
    row.full_clean()
    with transaction.atomic():
        row.save()
        record_event(action=AuditAction.CREATE, actor=by, obj=row, request=request)
    return row


def _update(row: models.Model, changes: dict, *, by, request):
    changed = apply_changes(row, changes)
    if changed:
        row.full_clean()
        with transaction.atomic():
            row.save(update_fields=changed)
            record_event(action=AuditAction.UPDATE, actor=by, obj=row, request=request, fields=changed)
    return row


def _archive(row: models.Model, *, by, request):
    with transaction.atomic():
        if type(row).objects.filter(pk=row.pk, active=True).update(active=False):
            record_event(action=AuditAction.DELETE, actor=by, obj=row, request=request, fields=["active"])
    row.active = False
    return row
