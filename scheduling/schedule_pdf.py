"""The admin's day schedule, printed: the "Print / PDF" button of
/admin/scheduling/appointment/day/ (API.md, "Exports"). For each doctor the
page shows the user (a doctor: themself; staff and admins: every active
doctor), that day's working hours and time off, then the visits holding a
slot: time, patient, status, reason.

It reads the page's own selectors (scheduling.selectors: four queries,
whatever the number of bookings) and prints through clinic.pdf. Each print is
an audit `export` event of object type `day_schedule` whose id is the date:
the row names no patient."""

from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.audit import record_event
from accounts.models import AuditAction
from clinic.pdf import ClinicPDF
from scheduling import selectors, wall_clock
from scheduling.models import Status

DASH = "\u2013"
STATUS_LABELS = dict(Status.choices)
OBJECT_TYPE = "day_schedule"


def export_day_schedule(*, user, day: date, request=None) -> bytes:
    """The day's schedule as `user` sees it, as a PDF; audited as an `export`."""
    content = day_schedule_pdf(user, day)
    record_event(
        action=AuditAction.EXPORT,
        actor=user,
        object_type=OBJECT_TYPE,
        object_id=day.isoformat(),
        request=request,
    )
    return content


def day_schedule_pdf(user, day: date) -> bytes:
    doctors = list(selectors.schedule_doctors(user))
    ids = [doctor.pk for doctor in doctors]
    appointments = list(selectors.day_appointments(user, day, ids))
    time_off = list(selectors.day_time_off(day, ids).order_by("starts_at"))
    hours = list(selectors.day_working_hours(day, ids))
    pdf = ClinicPDF(_("Day schedule: %(day)s") % {"day": date_format(day, "l d F Y")})
    if not doctors:
        pdf.note(_("No doctors to show."))
    for doctor in doctors:
        pdf.heading(str(doctor))
        worked = [
            f"{block.start:%H:%M}{DASH}{block.end:%H:%M}" for block in hours if block.doctor_id == doctor.pk
        ]
        pdf.fields([(_("Working hours"), ", ".join(worked) or _("Day off: no working hours"))])
        for period in (period for period in time_off if period.doctor_id == doctor.pk):
            pdf.fields([(_("Time off"), _period(day, period.starts_at, period.ends_at))])
        visits = [_visit_row(day, visit) for visit in appointments if visit.doctor_id == doctor.pk]
        if visits:
            headings = [_("Time"), _("Patient"), _("Status"), _("Reason")]
            pdf.table_of(headings, visits, widths=(16, 34, 14, 36))
        else:
            pdf.note(_("No appointments."))
    return pdf.to_bytes()


def _visit_row(day: date, visit) -> list[str]:
    client = visit.client
    status = str(STATUS_LABELS.get(visit.status, visit.status))
    return [
        _period(day, visit.starts_at, visit.ends_at),
        f"{client.first_name} {client.last_name}",
        status,
        visit.reason,
    ]


def _period(day: date, starts_at, ends_at) -> str:
    """Start and end as HH:MM on `day` (in the hour the clocks go back, with
    the UTC offset: wall_clock.clock); one that falls on another day shows its date."""
    return f"{_clock(day, starts_at)}{DASH}{_clock(day, ends_at)}"


def _clock(day: date, moment) -> str:
    shown = wall_clock.local(moment)
    return wall_clock.clock(moment) if shown.date() == day else date_format(shown, "d M H:i")
