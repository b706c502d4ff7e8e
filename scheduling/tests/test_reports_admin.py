"""The admin's Reports page: admin and staff only, the API's figures, SVG charts
drawn on the server, a table per doctor and the CSV download."""

from datetime import time

import pytest
from django.utils import timezone

from scheduling.models import Status, WorkingHours
from scheduling.tests.factories import AppointmentFactory
from scheduling.tests.helpers import at

pytestmark = pytest.mark.django_db

PAGE = "/admin/scheduling/appointment/reports/"
CSV = "/admin/scheduling/appointment/reports/utilization.csv"
MONDAY = "2026-03-02"


@pytest.fixture
def monday(world):
    """The doctor works 09:00-17:00 on Mondays; one visit done, one missed, one cancelled."""
    WorkingHours.objects.create(doctor=world.doctor, weekday=0, start=time(9), end=time(17))
    day = timezone.datetime(2026, 3, 2).date()
    for hour, status in ((9, Status.COMPLETED), (10, Status.NO_SHOW), (11, Status.CANCELLED)):
        AppointmentFactory(doctor=world.doctor, client=world.client, starts_at=at(day, hour), status=status)
    return world


@pytest.mark.parametrize("role", ["admin", "staff"])
def test_admin_and_staff_see_charts_a_table_and_the_csv_link(monday, admin_as, role):
    response = admin_as(monday.user(role)).get(PAGE, {"from": MONDAY, "to": MONDAY})

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<svg class="report-chart"') == 2
    assert "<title>02 Mar: 6%</title>" in html  # 30 booked of 480 working minutes
    assert "<title>02 Mar: 1</title>" in html  # one no-show
    table = dict(response.context["table"])
    row = table[str(monday.doctor)]
    assert (row.working_minutes, row.booked_minutes, row.no_show_rate, row.cancellation_rate) == (
        480,
        30,
        0.5,
        0.3333,
    )
    assert set(table) == {str(monday.doctor), str(monday.other_doctor)}
    assert f'href="{CSV}?from={MONDAY}&amp;to={MONDAY}' in html
    assert str(monday.client.first_name) not in html  # figures only, no patient


def test_the_page_opens_on_the_last_four_weeks(world, admin_as):
    response = admin_as(world.staff).get(PAGE)
    assert response.status_code == 200
    report = response.context["report"]
    assert (report.last - report.first).days == 27 and report.last == timezone.localdate()


def test_one_doctor_and_weeks(monday, admin_as):
    query = {"from": MONDAY, "to": "2026-03-15", "doctor": monday.doctor.pk, "group": "week"}
    response = admin_as(monday.staff).get(PAGE, query)
    report = response.context["report"]
    assert [(row.doctor, str(row.period_start), row.working_minutes) for row in report.rows] == [
        (monday.doctor.pk, "2026-03-02", 480),
        (monday.doctor.pk, "2026-03-09", 480),
    ]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"from": "2026-03-03", "to": MONDAY}, "`to` is before `from`."),
        ({"from": "2025-01-01", "to": "2026-01-02"}, "The range is longer than 366 days."),
        ({"from": "soon", "to": MONDAY}, "Enter a valid date."),
    ],
)
def test_a_bad_range_is_a_form_error_not_a_500(world, admin_as, query, message):
    response = admin_as(world.staff).get(PAGE, query)
    assert response.status_code == 200
    assert response.context["report"] is None
    assert message in response.content.decode()
    assert '<svg class="report-chart"' not in response.content.decode()


def test_the_csv_download_is_the_apis_csv(monday, admin_as, api):
    query = {"from": MONDAY, "to": MONDAY}
    response = admin_as(monday.staff).get(CSV, query)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="utilization-{MONDAY}-{MONDAY}-day.csv"'
    assert response.content == api(monday.staff).get("/api/v1/reports/utilization.csv", query).content


def test_a_doctor_is_refused_and_a_patient_never_gets_in(world, admin_as):
    assert admin_as(world.doctor).get(PAGE).status_code == 403
    assert admin_as(world.doctor).get(CSV).status_code == 403
    patient = admin_as(world.patient).get(PAGE)
    assert patient.status_code == 302 and patient["Location"].startswith("/admin/login/")


@pytest.mark.parametrize(("role", "linked"), [("admin", True), ("staff", True), ("doctor", False)])
def test_the_admin_index_links_the_page_for_admin_and_staff(world, admin_as, role, linked):
    html = admin_as(world.user(role)).get("/admin/").content.decode()
    assert (f'href="{PAGE}"' in html) is linked
