"""Scheduling's domain errors: the API's exception handler turns each into
`{"detail", "code"}` with its status; the admin shows them as form errors."""

from django.utils.translation import gettext_lazy as _

from config.exceptions import DomainError


class SlotTaken(DomainError):
    status_code = 409
    default_detail = _("The doctor already has an appointment at that time.")
    default_code = "slot_taken"


class ClientBusy(DomainError):
    status_code = 409
    default_detail = _("The client already has an appointment at that time.")
    default_code = "client_busy"


class RoomTaken(DomainError):
    status_code = 409
    default_detail = _("The room already has a visit at that time.")
    default_code = "room_taken"


class RoomRequired(DomainError):
    status_code = 400
    default_detail = _("This visit type needs a room.")
    default_code = "room_required"


class TypeNotBookable(DomainError):
    status_code = 400
    default_detail = _("Patients cannot book this visit type; please call the clinic.")
    default_code = "type_not_bookable"


class TooShortNotice(DomainError):
    status_code = 400
    default_detail = _("Visits must be booked further ahead.")
    default_code = "too_short_notice"


class TooFarAhead(DomainError):
    status_code = 400
    default_detail = _("Visits cannot be booked that far ahead.")
    default_code = "too_far_ahead"


class InvalidTransition(DomainError):
    status_code = 409
    default_detail = _("The appointment cannot move to that status from its current one.")
    default_code = "invalid_transition"


class OutsideWorkingHours(DomainError):
    status_code = 400
    default_detail = _("The visit is outside the doctor's working hours or inside their time off.")
    default_code = "outside_working_hours"


class IdempotencyConflict(DomainError):
    status_code = 409
    default_detail = _("This Idempotency-Key was already used with a different request.")
    default_code = "idempotency_conflict"
