"""Writes: booking, rescheduling and status changes (working hours and time
off: scheduling.hours).

Every function runs in `transaction.atomic()`; reminder rows change in the same
transaction and their RQ jobs move on commit (scheduling.reminders). The
exclusion constraints are the last word on overlaps: their violation becomes
SlotTaken / RoomTaken / ClientBusy.

A booking is made in two steps that other writers (a series of visits, a
waitlist) can use apart: `new_booking` builds the unsaved appointment and
checks every rule but the database's; `save_booking`, inside the caller's
transaction, saves it with its reminders, audit row and cache bump.
"""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.audit import record_event
from accounts.models import AuditAction
from config.changes import apply_changes, changed_fields
from scheduling import cache, selectors
from scheduling.exceptions import (
    ClientBusy,
    InvalidTransition,
    OutsideWorkingHours,
    RoomRequired,
    RoomTaken,
    SlotTaken,
    TooFarAhead,
    TooShortNotice,
    TypeNotBookable,
)
from scheduling.models import (
    MAX_DURATION_MINUTES,
    MIN_DURATION_MINUTES,
    Appointment,
    Status,
)
from scheduling.reminders import services as reminders
from scheduling.waitlist import offers as waitlist

MIN_DURATION, MAX_DURATION = MIN_DURATION_MINUTES, MAX_DURATION_MINUTES
DEFAULT_DURATION = 30  # a booking without a type and without a duration
RESCHEDULE_FIELDS = ("starts_at", "duration_minutes", "doctor", "appointment_type", "room")
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
    "appointment_no_room_overlap": RoomTaken,
}


def check_booking(appointment: Appointment, *, by=None, changed=RESCHEDULE_FIELDS) -> None:
    """The booking rules of API.md that do not need the database's last word,
    for a new visit or a move (`changed`: the RESCHEDULE_FIELDS that move).
    A type or a room must be active when it is newly named (a room also when
    the visit moves); `by` a patient: only patient-bookable types, inside
    their booking window."""
    changed = set(changed)
    visit_type, room = appointment.appointment_type, appointment.room
    errors = {}
    if appointment.starts_at < timezone.now():
        errors["starts_at"] = [_("Must not be in the past.")]
    if not MIN_DURATION <= appointment.duration_minutes <= MAX_DURATION:
        errors["duration_minutes"] = [
            _("Must be between %(min)s and %(max)s minutes.") % {"min": MIN_DURATION, "max": MAX_DURATION}
        ]
    if not appointment.doctor.is_active_doctor:
        errors["doctor"] = [_("Must be an active doctor.")]
    if appointment.client.is_archived:
        errors["client"] = [_("This client record is archived.")]
    if visit_type is not None and not visit_type.active and "appointment_type" in changed:
        errors["appointment_type"] = [_("This visit type is archived.")]
    if room is not None and not room.active:
        errors["room"] = [_("This room is archived.")]
    if errors:
        raise ValidationError(errors)
    if "appointment_type" in changed:
        check_type_bookable_by(by, visit_type)
    if (
        visit_type is not None
        and visit_type.requires_room
        and room is None
        and changed & {"appointment_type", "room"}
    ):
        raise RoomRequired()
    if by is not None and by.is_patient and "starts_at" in changed:
        _check_patient_window(appointment.starts_at)
    ends_at = appointment.starts_at.astimezone(UTC) + timedelta(minutes=appointment.duration_minutes)
    if not selectors.fits_working_hours(appointment.doctor, appointment.starts_at, ends_at):
        raise OutsideWorkingHours()


def check_type_bookable_by(user, visit_type) -> None:
    """A patient books (and is offered) only `patient_bookable` types."""
    if visit_type is not None and user is not None and user.is_patient and not visit_type.patient_bookable:
        raise TypeNotBookable()


def _check_patient_window(starts_at: datetime) -> None:
    earliest, latest = selectors.patient_booking_window()
    if starts_at < earliest:
        raise TooShortNotice(
            _("Visits must be booked at least %(minutes)s minutes ahead.")
            % {"minutes": settings.BOOKING_MIN_NOTICE_MINUTES}
        )
    if starts_at > latest:
        raise TooFarAhead(
            _("Visits can be booked at most %(days)s days ahead.") % {"days": settings.BOOKING_HORIZON_DAYS}
        )


def _take_type(appointment: Appointment, visit_type) -> None:
    """Name `visit_type` on the visit and copy its buffers, as they are now."""
    appointment.appointment_type = visit_type
    appointment.buffer_before_minutes = visit_type.buffer_before_minutes if visit_type else 0
    appointment.buffer_after_minutes = visit_type.buffer_after_minutes if visit_type else 0


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


def new_booking(
    *,
    client,
    doctor,
    starts_at: datetime,
    duration_minutes: int | None = None,
    appointment_type=None,
    room=None,
    reason: str = "",
    notes: str = "",
    created_by=None,
) -> Appointment:
    """The unsaved visit a booking makes, checked by `check_booking` as
    `created_by`; its length is the type's unless given (30 without a type)."""
    if duration_minutes is None:
        duration_minutes = appointment_type.duration_minutes if appointment_type else DEFAULT_DURATION
    appointment = Appointment(
        client=client,
        doctor=doctor,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        room=room,
        reason=reason,
        notes=notes,
        created_by=created_by,
    )
    _take_type(appointment, appointment_type)
    check_booking(appointment, by=created_by)
    return appointment


def save_booking(appointment: Appointment, *, request=None, confirm: bool = True) -> Appointment:
    """Save a visit from `new_booking` with its reminders, audit row and cache
    bump, inside the caller's `transaction.atomic()`; an overlap raises
    SlotTaken, RoomTaken or ClientBusy and the caller's transaction rolls back.
    `confirm`: email the booking confirmation (a series confirms its first visit)."""
    _save_slot(appointment)
    reminders.schedule_reminders(appointment, confirm=confirm)
    record_event(action=AuditAction.CREATE, actor=appointment.created_by, obj=appointment, request=request)
    cache.invalidate_appointments(appointment.doctor_id, room_ids=[appointment.room_id])
    return appointment


def book_appointment(*, request=None, **booking) -> Appointment:
    """Book a visit (`new_booking`'s arguments); the exclusion constraints are
    the last word on overlaps."""
    appointment = new_booking(**booking)
    try:
        with transaction.atomic():
            return save_booking(appointment, request=request)
    except ClientBusy as busy:
        if doctor_busy_too(appointment):
            raise SlotTaken() from busy
        raise


def update_appointment(*, appointment: Appointment, changes: dict, by=None, request=None) -> Appointment:
    """Reschedule (`starts_at`, `duration_minutes`, `doctor`, `appointment_type`,
    `room`) and/or edit `reason`, `notes`. Status never changes here; only
    scheduled or confirmed visits can move. A new type brings its buffers and,
    unless `duration_minutes` is given, its length; the kept type keeps the
    buffers copied at booking."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: [_("Cannot be changed here.")] for name in sorted(unknown)})
    try:
        return _update_appointment(appointment.pk, changes, by=by, request=request)
    except ClientBusy as busy:
        moved = Appointment.objects.get(pk=appointment.pk)
        if "appointment_type" in apply_changes(moved, _with_type_duration(moved, changes)):
            _take_type(moved, moved.appointment_type)
        if doctor_busy_too(moved):
            raise SlotTaken() from busy
        raise


def _update_appointment(pk, changes: dict, *, by, request) -> Appointment:
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().get(pk=pk)
        changes = _with_type_duration(appointment, changes)
        changed = changed_fields(appointment, changes)
        moves = [name for name in changed if name in RESCHEDULE_FIELDS]
        if moves and appointment.status not in (Status.SCHEDULED, Status.CONFIRMED):
            raise InvalidTransition(_("Only scheduled or confirmed appointments can be rescheduled."))
        old_doctor_id, old_room_id = appointment.doctor_id, appointment.room_id
        freed = waitlist.slot_of(appointment)
        if apply_changes(appointment, changes):
            if "appointment_type" in changed:
                _take_type(appointment, appointment.appointment_type)
            if moves:
                check_booking(appointment, by=by, changed=moves)
            _save_slot(appointment)
            if moves:
                reminders.move_reminders(appointment)
                waitlist.offer_slot(freed)
            record_event(
                action=AuditAction.UPDATE, actor=by, obj=appointment, request=request, fields=changed
            )
            cache.invalidate_appointments(
                old_doctor_id, appointment.doctor_id, room_ids=[old_room_id, appointment.room_id]
            )
    return appointment


def doctor_busy_too(appointment: Appointment) -> bool:
    """Whether the doctor's time is taken too, for a visit the client's
    constraint refused: when both constraints refuse it, PostgreSQL names
    whichever index it checks first, and API.md's order (the doctor's time,
    then the client's) decides instead. Called after the rollback, so it may query."""
    start = appointment.starts_at.astimezone(UTC)  # real time, not the zone's wall clock
    end = start + timedelta(minutes=appointment.duration_minutes)
    buffers = (appointment.buffer_before_minutes, appointment.buffer_after_minutes)
    visits = selectors.clashing_visit(
        appointment.doctor, start, end, buffers=buffers, exclude_pk=appointment.pk
    )
    return visits is not None


def _with_type_duration(appointment: Appointment, changes: dict) -> dict:
    """`changes`, with the new type's length when the type changes and no
    duration is given."""
    visit_type = changes.get("appointment_type")
    if (
        visit_type is None
        or visit_type.pk == appointment.appointment_type_id
        or "duration_minutes" in changes
    ):
        return changes
    return {**changes, "duration_minutes": visit_type.duration_minutes}


MAX_CANCEL_REASON = 500
STATUS_ACTION_LABELS = {
    "confirm": gettext_lazy("Confirm"),
    "check_in": gettext_lazy("Check in"),
    "complete": gettext_lazy("Complete"),
    "no_show": gettext_lazy("No-show"),
    "cancel": gettext_lazy("Cancel"),
}
# A transition refused from the visit's status (the status's label, lower case).
CANNOT_FROM = {
    "confirm": gettext_lazy("Cannot confirm a %(status)s appointment."),
    "check_in": gettext_lazy("Cannot check-in a %(status)s appointment."),
    "complete": gettext_lazy("Cannot complete a %(status)s appointment."),
    "no_show": gettext_lazy("Cannot no-show a %(status)s appointment."),
    "cancel": gettext_lazy("Cannot cancel a %(status)s appointment."),
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
        freed = waitlist.slot_of(appointment)
        if appointment.status not in sources:
            status = str(Status(appointment.status).label).lower()
            raise InvalidTransition(CANNOT_FROM[action] % {"status": status})
        if action == "no_show" and appointment.starts_at > timezone.now():
            raise InvalidTransition(_("A no-show can only be recorded once the start has passed."))
        if action == "cancel" and by is not None and by.is_patient:
            deadline = appointment.starts_at - timedelta(hours=settings.PATIENT_CANCEL_HOURS)
            if timezone.now() > deadline:
                raise InvalidTransition(
                    _("Patients can cancel until %(hours)s hours before the start.")
                    % {"hours": settings.PATIENT_CANCEL_HOURS}
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
            waitlist.offer_slot(freed)
        record_event(action=AuditAction.UPDATE, actor=by, obj=appointment, request=request, fields=changed)
        cache.invalidate_appointments(appointment.doctor_id, room_ids=[appointment.room_id])
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
        pk, doctor_id, room_id = appointment.pk, appointment.doctor_id, appointment.room_id
        freed = waitlist.slot_of(appointment)
        reminders.cancel_reminders(appointment)  # their jobs; the rows go with the appointment
        appointment.delete()
        waitlist.offer_slot(freed)
        record_event(
            action=AuditAction.DELETE, actor=by, object_type="appointment", object_id=pk, request=request
        )
        cache.invalidate_appointments(doctor_id, room_ids=[room_id])
