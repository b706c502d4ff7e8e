"""The admin's Reports page (admin and staff): the range, doctor and period
filters, the utilization and no-show charts per period (every chosen doctor
together), a table per doctor over the whole range, and the CSV download,
all from `utilization_report` (the API's numbers).

Routed by `AppointmentAdmin.get_urls`: `/admin/scheduling/appointment/reports/`
and `…/reports/utilization.csv` (the admin signs in with a session, the API
with a bearer token: the page's download is the admin's own route)."""

from datetime import timedelta
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from config.admin_errors import form_errors_from
from config.exceptions import DomainError
from scheduling.reports import csv_export
from scheduling.reports.charts import Bar, bar_chart
from scheduling.reports.utilization import DAY, MAX_RANGE_DAYS, WEEK, Report, combined, utilization_report

DEFAULT_DAYS = 28
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReportForm(forms.Form):
    from_ = forms.DateField(label=_("From"), widget=DATE_INPUT)
    to = forms.DateField(label=_("To (included)"), widget=DATE_INPUT)
    doctor = forms.ModelChoiceField(
        queryset=User.objects.active_doctors().order_by("full_name", "username"),
        required=False,
        label=_("Doctor"),
        empty_label=_("Every doctor"),
    )
    group = forms.ChoiceField(choices=[(DAY, _("Day")), (WEEK, _("Week"))], required=False, label=_("Per"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"from": self.fields.pop("from_"), **self.fields}  # the API's names

    def report(self, user) -> Report | None:
        """The report asked for, or None with the refusal among the form's errors."""
        if not self.is_valid():
            return None
        data = self.cleaned_data
        doctor = data["doctor"]
        try:
            return utilization_report(
                user=user,
                first=data["from"],
                last=data["to"],
                doctor_id=doctor.pk if doctor else None,
                group=data["group"] or DAY,
            )
        except DomainError as error:
            form_errors_from(self, error)
            return None


def default_filters() -> dict[str, str]:
    today = timezone.localdate()
    return {
        "from": (today - timedelta(days=DEFAULT_DAYS - 1)).isoformat(),
        "to": today.isoformat(),
        "group": DAY,
    }


def _period_label(row) -> str:
    start = date_format(row.period_start, "d M")
    return start if row.period_start == row.period_end else _("w/c %(day)s") % {"day": start}


def page_figures(report: Report) -> dict:
    """The charts (every chosen doctor's period summed) and the per-doctor table."""
    by_period, by_doctor = {}, {}
    for row in report.rows:
        by_period.setdefault((row.period_start, row.period_end), []).append(row)
        by_doctor.setdefault(row.doctor, []).append(row)
    periods = [
        combined(rows, doctor=None, period_start=start, period_end=end)
        for (start, end), rows in by_period.items()
    ]
    names = {doctor.pk: str(doctor) for doctor in report.doctors}
    table = [
        (names[doctor], combined(rows, doctor=doctor, period_start=report.first, period_end=report.last))
        for doctor, rows in sorted(by_doctor.items(), key=lambda item: names[item[0]].lower())
    ]
    no_shows = [row.appointments["no_show"] for row in periods]
    most = max(no_shows, default=0)
    return {
        "utilization_chart": bar_chart(
            title=_("Utilization per period"),
            bars=[Bar(_period_label(row), row.utilization, f"{row.utilization:.0%}") for row in periods],
            maximum=1.0,
            axis=("0%", "100%"),
        ),
        "no_show_chart": bar_chart(
            title=_("No-shows per period"),
            bars=[
                Bar(_period_label(row), count, str(count))
                for row, count in zip(periods, no_shows, strict=True)
            ],
            maximum=max(most, 1),
            axis=("0", str(max(most, 1))),
        ),
        "table": table,
        "total": combined(report.rows, doctor=None, period_start=report.first, period_end=report.last),
    }


def reports_view(model_admin, *, as_csv: bool = False):
    """The views behind `…/appointment/reports/` and `…/reports/utilization.csv`."""

    def view(request):
        if not request.user.is_clinic_staff:
            raise PermissionDenied
        form = ReportForm(request.GET or default_filters())
        report = form.report(request.user)
        if as_csv and report is not None:
            response = HttpResponse(csv_export.report_csv(report), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{csv_export.filename(report)}"'
            return response
        context = {
            **model_admin.admin_site.each_context(request),
            "title": _("Utilization report"),
            "subtitle": None,
            "opts": model_admin.model._meta,
            "form": form,
            "report": report,
            "max_range_days": MAX_RANGE_DAYS,
            **(page_figures(report) if report else {}),
        }
        if report is not None:
            query = urlencode({name: value for name, value in form.data.items() if name in form.fields})
            context["csv_url"] = f"{reverse('admin:scheduling_appointment_report_csv')}?{query}"
        return TemplateResponse(request, "admin/scheduling/reports.html", context)

    return view
