"""Writes: booking, rescheduling, status changes, working hours and time off.

Every function runs in `transaction.atomic()`; reminder rows change in the same
transaction and their RQ jobs move on commit (scheduling.reminders). The
exclusion constraints are the last word on overlaps: their violation becomes
SlotTaken / ClientBusy.
"""

import calendar
import itertools
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.audit import record_event
from accounts.models import AuditAction
from config.changes import apply_changes, changed_fields
from scheduling import cache, selectors
from scheduling.exceptions import ClientBusy, InvalidTransition, OutsideWorkingHours, SlotTaken
from scheduling.models import MAX_DURATION_MINUTES, Appointment, Status, TimeOff, WorkingHours
from scheduling.reminders import services as reminders

MIN_DURATION, MAX_DURATION = 5, MAX_DURATION_MINUTES
RESCHEDULE_FIELDS = ("starts_at", "duration_minutes", "doctor")
EDITABLE_FIELDS = (*RESCHEDULE_FIELDS, "reason", "notes")

# action name -> (statuses it may start from, status it leads to)
TRANSITIONS = {
    "confirm": ((Status.SCHEDULED,), Status.CONFIRMED),
    "check_in": ((Status.CONFIRMED,), Status.CHECKED_IN),
    "complete": ((Status.CHECKED_IN,), Status.COMPLETED),
    "cancel": ((Status.SCHEDULED, Status.CONFIRMED), Status.CANCELLED),
    "no_show": ((Status.SCHEDULED, Status.CONFIRMED), Status.NO_SHOW),
}
CONSTRAINT_ERRORS = {
    "appointment_no_doctor_overlap": SlotTaken,
    "appointment_no_client_overlap": ClientBusy,
}


def _check_schedule(*, client, doctor, starts_at: datetime, duration_minutes: int) -> None:
    """The booking rules of API.md that do not need the database's last word."""
    errors = {}
    if starts_at < timezone.now():
        errors["starts_at"] = ["Must not be in the past."]
    if not MIN_DURATION <= duration_minutes <= MAX_DURATION:
        errors["duration_minutes"] = [f"Must be between {MIN_DURATION} and {MAX_DURATION} minutes."]
    if not doctor.is_active_doctor:
        errors["doctor"] = ["Must be an active doctor."]
    if client.is_archived:
        errors["client"] = ["This client record is archived."]
    if errors:
        raise ValidationError(errors)
    ends_at = starts_at + timedelta(minutes=duration_minutes)
    if not selectors.fits_working_hours(doctor, starts_at, ends_at):
        raise OutsideWorkingHours()


def _save_slot(appointment: Appointment) -> None:
    """Save, turning an overlap into its error. Called inside the caller's
    `transaction.atomic()`, which the error rolls back: nothing half-written,
    and no savepoint of its own (two round trips a booking)."""
    try:
        appointment.save()
    except IntegrityError as error:
        name = getattr(getattr(error.__cause__, "diag", None), "constraint_name", None)
        if name in CONSTRAINT_ERRORS:
            raise CONSTRAINT_ERRORS[name]() from error
        raise


def book_appointment(
    *,
    client,
    doctor,
    starts_at: datetime,
    duration_minutes: int = 30,
    reason: str = "",
    notes: str = "",
    created_by=None,
    request=None,
) -> Appointment:
    """Book a visit; the exclusion constraints are the last word on overlaps."""
    _check_schedule(client=client, doctor=doctor, starts_at=starts_at, duration_minutes=duration_minutes)
    with transaction.atomic():
        appointment = Appointment(
            client=client,
            doctor=doctor,
            starts_at=starts_at,
            duration_minutes=duration_minutes,
            reason=reason,
            notes=notes,
            created_by=created_by,
        )
        _save_slot(appointment)
        reminders.schedule_reminders(appointment, confirm=True)
        record_event(action=AuditAction.CREATE, actor=created_by, obj=appointment, request=request)
        cache.invalidate_appointments(doctor.pk)
    return appointment


def update_appointment(*, appointment: Appointment, changes: dict, by=None, request=None) -> Appointment:
    """Reschedule (`starts_at`, `duration_minutes`, `doctor`) and/or edit `reason`, `notes`.
    Status never changes here; only scheduled or confirmed visits can move."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: ["Cannot be changed here."] for name in sorted(unknown)})
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        changed = changed_fields(appointment, changes)
        moves = [name for name in changed if name in RESCHEDULE_FIELDS]
        old_doctor_id = appointment.doctor_id
        if moves:
            if appointment.status not in (Status.SCHEDULED, Status.CONFIRMED):
                raise InvalidTransition("Only scheduled or confirmed appointments can be rescheduled.")
            _check_schedule(
                client=appointment.client,
                doctor=changes.get("doctor", appointment.doctor),
                starts_at=changes.get("starts_at", appointment.starts_at),
                duration_minutes=changes.get("duration_minutes", appointment.duration_minutes),
            )
        if apply_changes(appointment, changes):
            _save_slot(appointment)
            if moves:
                reminders.move_reminders(appointment)
            record_event(
                action=AuditAction.UPDATE, actor=by, obj=appointment, request=request, fields=changed
            )
            cache.invalidate_appointments(old_doctor_id, appointment.doctor_id)
    return appointment


MAX_CANCEL_REASON = 500
STATUS_ACTION_LABELS = {
    "confirm": "Confirm",
    "check_in": "Check in",
    "complete": "Complete",
    "no_show": "No-show",
    "cancel": "Cancel",
}


def allowed_actions(appointment: Appointment) -> list[str]:
    """The status actions `change_status` would accept for `appointment` now
    (a patient's cancellation deadline aside): what the admin offers as buttons."""
    started = appointment.starts_at <= timezone.now()
    return [
        action
        for action, (sources, _target) in TRANSITIONS.items()
        if appointment.status in sources and (action != "no_show" or started)
    ]


def change_status(
    *, appointment: Appointment, action: str, by=None, request=None, reason: str = ""
) -> Appointment:
    """Move the appointment along one transition of API.md, or raise InvalidTransition.
    A cancellation keeps its optional `reason` (encrypted, never in the audit row)."""
    sources, target = TRANSITIONS[action]
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if appointment.status not in sources:
            raise InvalidTransition(f"Cannot {action.replace('_', '-')} a {appointment.status} appointment.")
        if action == "no_show" and appointment.starts_at > timezone.now():
            raise InvalidTransition("A no-show can only be recorded once the start has passed.")
        if action == "cancel" and by is not None and by.is_patient:
            deadline = appointment.starts_at - timedelta(hours=settings.PATIENT_CANCEL_HOURS)
            if timezone.now() > deadline:
                raise InvalidTransition(
                    f"Patients can cancel until {settings.PATIENT_CANCEL_HOURS} hours before the start."
                )
        appointment.status = target
        changed = ["status"]
        if action == "cancel" and reason.strip():
            appointment.cancel_reason = reason.strip()[:MAX_CANCEL_REASON]
            changed.append("cancel_reason")
        appointment.save(update_fields=[*changed, "updated_at"])
        if target in (Status.CANCELLED, Status.NO_SHOW):
            reminders.cancel_reminders(appointment)
        if target == Status.CANCELLED:
            reminders.send_cancellation(appointment)
        record_event(action=AuditAction.UPDATE, actor=by, obj=appointment, request=request, fields=changed)
        cache.invalidate_appointments(appointment.doctor_id)
    return appointment


def confirm_appointment(*, appointment, by=None, request=None):
    return change_status(appointment=appointment, action="confirm", by=by, request=request)


def check_in_appointment(*, appointment, by=None, request=None):
    return change_status(appointment=appointment, action="check_in", by=by, request=request)


def complete_appointment(*, appointment, by=None, request=None):
    return change_status(appointment=appointment, action="complete", by=by, request=request)


def cancel_appointment(*, appointment, by=None, request=None, reason: str = ""):
    return change_status(appointment=appointment, action="cancel", by=by, request=request, reason=reason)


def mark_no_show(*, appointment, by=None, request=None):
    return change_status(appointment=appointment, action="no_show", by=by, request=request)


def delete_appointment(*, appointment: Appointment, by=None, request=None) -> None:
    """Remove the row for good (admin only); the audit trail keeps its id."""
    with transaction.atomic():
        pk, doctor_id = appointment.pk, appointment.doctor_id
        reminders.cancel_reminders(appointment)  # their jobs; the rows go with the appointment
        appointment.delete()
        record_event(
            action=AuditAction.DELETE, actor=by, object_type="appointment", object_id=pk, request=request
        )
        cache.invalidate_appointments(doctor_id)


def weekday_name(weekday: int) -> str:
    """0 is Monday, as in the API's `weekday` and Python's `date.weekday()`."""
    return calendar.day_name[weekday] if 0 <= weekday <= 6 else f"Weekday {weekday}"


def working_hours_errors(blocks: list[dict]) -> list[str]:
    """What is wrong with a week of `blocks` ({weekday, start, end}): an end not
    after its start, blocks of one weekday that overlap (the API and the admin)."""
    errors = []
    by_day = {}
    for block in blocks:
        if block["end"] <= block["start"]:
            errors.append(f"{weekday_name(block['weekday'])}: the end must be after the start.")
        by_day.setdefault(block["weekday"], []).append(block)
    for weekday, day_blocks in by_day.items():
        day_blocks = sorted(day_blocks, key=lambda b: b["start"])
        if any(a["end"] > b["start"] for a, b in itertools.pairwise(day_blocks)):
            errors.append(f"{weekday_name(weekday)}: the blocks overlap.")
    return errors


def set_working_hours(*, doctor, blocks: list[dict]) -> list[WorkingHours]:
    """Replace the doctor's weekly hours with `blocks` ({weekday, start, end});
    blocks of one weekday must not overlap."""
    if errors := working_hours_errors(blocks):
        raise ValidationError({"non_field_errors": errors})
    with transaction.atomic():
        WorkingHours.objects.filter(doctor=doctor).delete()
        rows = WorkingHours.objects.bulk_create(
            WorkingHours(doctor=doctor, weekday=b["weekday"], start=b["start"], end=b["end"]) for b in blocks
        )
        cache.invalidate_availability(doctor.pk)
    return sorted(rows, key=lambda row: (row.weekday, row.start))


def add_time_off(*, doctor, starts_at: datetime, ends_at: datetime, reason: str = "") -> TimeOff:
    """Block a period; existing appointments in it stay (the front desk moves them)."""
    return save_time_off(time_off=TimeOff(doctor=doctor, starts_at=starts_at, ends_at=ends_at, reason=reason))


def check_time_off_period(*, starts_at: datetime, ends_at: datetime) -> None:
    """A period off ends after it starts (the API and the admin; the database
    holds it too, as `time_off_ends_after_start`)."""
    if starts_at and ends_at and ends_at <= starts_at:
        raise ValidationError({"ends_at": ["Must be after starts_at (the start of the time off)."]})


def save_time_off(*, time_off: TimeOff) -> TimeOff:
    """Create or change a period off (the admin edits rows in place)."""
    check_time_off_period(starts_at=time_off.starts_at, ends_at=time_off.ends_at)
    with transaction.atomic():
        time_off.save()
        cache.invalidate_availability(time_off.doctor_id)
    return time_off


def remove_time_off(*, time_off: TimeOff) -> None:
    with transaction.atomic():
        doctor_id = time_off.doctor_id
        time_off.delete()
        cache.invalidate_availability(doctor_id)
