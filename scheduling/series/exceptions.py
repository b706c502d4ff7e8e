"""The series' own errors (API.md, "Recurring series"); a single occurrence's
refusals are scheduling.exceptions'."""

from django.utils.translation import gettext_lazy as _

from config.exceptions import DomainError


class InvalidRRule(DomainError):
    status_code = 400
    default_detail = _("The recurrence rule is not one this clinic accepts.")
    default_code = "invalid_rrule"


class SeriesConflict(DomainError):
    """Some occurrences cannot be booked: `conflicts` lists each one's start and
    the code a single booking would have got. The view adds them to the body."""

    status_code = 409
    default_detail = _("Some visits of the series cannot be booked; nothing was booked.")
    default_code = "series_conflict"

    def __init__(self, conflicts: list[dict], detail=None):
        super().__init__(detail)
        self.conflicts = conflicts
