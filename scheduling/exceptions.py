"""Scheduling's domain errors: the API's exception handler turns each into
`{"detail", "code"}` with its status; the admin shows them as form errors."""

from rest_framework import status
from rest_framework.exceptions import APIException


class SlotTaken(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The doctor already has an appointment at that time."
    default_code = "slot_taken"


class ClientBusy(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The client already has an appointment at that time."
    default_code = "client_busy"


class InvalidTransition(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The appointment cannot move to that status from its current one."
    default_code = "invalid_transition"


class OutsideWorkingHours(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "The visit is outside the doctor's working hours or inside their time off."
    default_code = "outside_working_hours"


class IdempotencyConflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This Idempotency-Key was already used with a different request."
    default_code = "idempotency_conflict"
