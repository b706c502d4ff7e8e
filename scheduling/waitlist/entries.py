"""Writes of waitlist entries: joining the list and leaving it."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import record_event
from accounts.models import AuditAction
from scheduling.services import check_type_bookable_by
from scheduling.waitlist import offers
from scheduling.waitlist.models import EntryStatus, WaitlistEntry

MAX_DAYS_AHEAD = 365


def add_entry(
    *,
    client,
    earliest_date: date,
    latest_date: date,
    doctor=None,
    appointment_type=None,
    notes: str = "",
    created_by=None,
    request=None,
) -> WaitlistEntry:
    """Put `client` on the waitlist for a visit between the two dates (both
    included), with `doctor` and of `appointment_type` when given."""
    today = timezone.localdate()
    errors = {}
    if latest_date < earliest_date:
        errors["latest_date"] = [_("Must not be before earliest_date.")]
    elif latest_date < today:
        errors["latest_date"] = [_("Must not be in the past.")]
    elif latest_date > today + timedelta(days=MAX_DAYS_AHEAD):
        errors["latest_date"] = [_("Must be within a year from today.")]
    if doctor is not None and not doctor.is_active_doctor:
        errors["doctor"] = [_("Must be an active doctor.")]
    if errors:
        raise ValidationError(errors)
    check_type_bookable_by(created_by, appointment_type)
    with transaction.atomic():
        entry = WaitlistEntry.objects.create(
            client=client,
            doctor=doctor,
            appointment_type=appointment_type,
            earliest_date=earliest_date,
            latest_date=latest_date,
            notes=notes,
            created_by=created_by,
        )
        record_event(action=AuditAction.CREATE, actor=created_by, obj=entry, request=request)
    return entry


def remove_entry(*, entry: WaitlistEntry, by=None, request=None) -> WaitlistEntry:
    """Take the entry off the list (`cancelled`); an offer it holds is
    withdrawn and its slot offered to the next entry. A booked or expired
    entry stays as it is."""
    with transaction.atomic():
        entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.status in (EntryStatus.WAITING, EntryStatus.OFFERED):
            if entry.status == EntryStatus.OFFERED:
                offers.withdraw_offers(entry)
            entry.status = EntryStatus.CANCELLED
            entry.save(update_fields=["status", "updated_at"])
            record_event(action=AuditAction.UPDATE, actor=by, obj=entry, request=request, fields=["status"])
    return entry
