"""Scheduling's domain errors: the API's exception handler turns each into
`{"detail", "code"}` with its status; the admin shows them as form errors."""

from config.exceptions import DomainError


class SlotTaken(DomainError):
    status_code = 409
    default_detail = "The doctor already has an appointment at that time."
    default_code = "slot_taken"


class ClientBusy(DomainError):
    status_code = 409
    default_detail = "The client already has an appointment at that time."
    default_code = "client_busy"


class InvalidTransition(DomainError):
    status_code = 409
    default_detail = "The appointment cannot move to that status from its current one."
    default_code = "invalid_transition"


class OutsideWorkingHours(DomainError):
    status_code = 400
    default_detail = "The visit is outside the doctor's working hours or inside their time off."
    default_code = "outside_working_hours"


class IdempotencyConflict(DomainError):
    status_code = 409
    default_detail = "This Idempotency-Key was already used with a different request."
    default_code = "idempotency_conflict"
