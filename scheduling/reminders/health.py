"""The reminders line of `manage.py stack_status` (registered with
config.status_checks by SchedulingConfig.ready): pages on overdue reminders
and on failures of the last day, not on old ones kept for the record."""

from config.status_checks import Check
from scheduling import selectors


def reminder_check() -> Check:
    counts, problems = selectors.reminder_counts(), selectors.reminder_problems()
    detail = (
        f"{counts['pending']} pending, {problems['overdue']} overdue, "
        f"{problems['failed_last_day']} failed in the last day ({counts['failed']} failed in all)"
    )
    return Check("reminders", problems["overdue"] == 0 and problems["failed_last_day"] == 0, detail)
