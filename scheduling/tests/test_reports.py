"""`GET /api/v1/reports/utilization` and `….csv` on a small hand-built clinic
(Europe/Berlin, one week of March 2026), every figure asserted exactly."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.generators import SchemaGenerator

from scheduling.models import Appointment, Status, TimeOff, WorkingHours
from scheduling.reports.utilization import STATUSES
from scheduling.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/utilization"
CSV_URL = "/api/v1/reports/utilization.csv"
BERLIN = ZoneInfo("Europe/Berlin")
MONDAY, SUNDAY = date(2026, 3, 2), date(2026, 3, 8)
NOTHING = dict.fromkeys(STATUSES, 0)  # every status but a waitlist hold


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


def day(offset: int) -> date:
    return MONDAY + timedelta(days=offset)


@pytest.fixture
def clinic(world, settings):
    """The doctor works Mon-Fri 09:00-17:00 in Berlin; Wednesday afternoon off
    (two overlapping periods, 13:00-17:00 and 15:00-18:00), Friday off all day."""
    settings.TIME_ZONE = "Europe/Berlin"
    doctor = world.doctor
    WorkingHours.objects.bulk_create(
        WorkingHours(doctor=doctor, weekday=weekday, start=time(9), end=time(17)) for weekday in range(5)
    )
    TimeOff.objects.create(doctor=doctor, starts_at=local(day(2), 13), ends_at=local(day(2), 17))
    TimeOff.objects.create(doctor=doctor, starts_at=local(day(2), 15), ends_at=local(day(2), 18))
    TimeOff.objects.create(doctor=doctor, starts_at=local(day(4), 0), ends_at=local(day(5), 0))
    visits = [
        # (starts_at, minutes, status, lead time in hours)
        (local(day(0), 0, 15), 30, Status.COMPLETED, 5),  # Sunday 23:15 in UTC: Monday here
        (local(day(0), 9), 60, Status.COMPLETED, 48),
        (local(day(0), 10), 30, Status.NO_SHOW, 24),
        (local(day(0), 11), 30, Status.CANCELLED, 12),
        (local(day(1), 9), 40, Status.CHECKED_IN, 10),
        (local(day(1), 10), 30, Status.CONFIRMED, 100),
        (local(day(1), 11), 30, Status.SCHEDULED, 1),
        (local(day(2), 9), 30, Status.COMPLETED, 2),
        (local(day(4), 10), 30, Status.CANCELLED, 3),
        (local(day(5), 10), 30, Status.COMPLETED, 6),  # Saturday: no working hours
        (local(day(6), 23, 30), 20, Status.NO_SHOW, 7),  # Sunday 22:30 in UTC
        (local(day(7), 0, 30), 40, Status.COMPLETED, 4),  # the next Monday (Sunday 23:30 UTC)
        (local(day(-1), 23, 30), 30, Status.COMPLETED, 4),  # the Sunday before
    ]
    for starts_at, minutes, status, lead in visits:
        visit = AppointmentFactory(
            doctor=doctor, client=world.client, starts_at=starts_at, duration_minutes=minutes, status=status
        )
        Appointment.objects.filter(pk=visit.pk).update(created_at=starts_at - timedelta(hours=lead))
    # The other doctor has no working hours and one visit that week.
    other = AppointmentFactory(
        doctor=world.other_doctor, client=world.other_client, starts_at=local(day(1), 9)
    )
    Appointment.objects.filter(pk=other.pk).update(created_at=other.starts_at)  # booked at the door
    return world


def counts(**given) -> dict:
    return {**NOTHING, **given}


def row(offset, working, booked, utilization, appointments, no_show, cancelled, lead, *, doctor) -> dict:
    return {
        "doctor": doctor,
        "period_start": day(offset).isoformat(),
        "period_end": day(offset).isoformat(),
        "working_minutes": working,
        "booked_minutes": booked,
        "utilization": utilization,
        "appointments": appointments,
        "no_show_rate": no_show,
        "cancellation_rate": cancelled,
        "median_lead_time_hours": lead,
    }


def test_each_day_of_the_week_for_one_doctor(api, clinic):
    doctor = clinic.doctor.pk
    response = api(clinic.staff).get(URL, {"from": "2026-03-02", "to": "2026-03-08", "doctor": doctor})

    assert response.status_code == 200
    body = response.json()
    assert {key: body[key] for key in ("from", "to", "group", "time_zone")} == {
        "from": "2026-03-02",
        "to": "2026-03-08",
        "group": "day",
        "time_zone": "Europe/Berlin",
    }
    assert body["results"] == [
        row(
            0, 480, 90, 0.1875, counts(completed=2, no_show=1, cancelled=1), 0.3333, 0.25, 18.0, doctor=doctor
        ),
        row(
            1, 480, 100, 0.2083, counts(checked_in=1, confirmed=1, scheduled=1), 0.0, 0.0, 10.0, doctor=doctor
        ),
        row(2, 240, 30, 0.125, counts(completed=1), 0.0, 0.0, 2.0, doctor=doctor),
        row(3, 480, 0, 0.0, counts(), 0.0, 0.0, None, doctor=doctor),
        row(4, 0, 0, 0.0, counts(cancelled=1), 0.0, 1.0, 3.0, doctor=doctor),
        row(5, 0, 30, 0.0, counts(completed=1), 0.0, 0.0, 6.0, doctor=doctor),
        row(6, 0, 0, 0.0, counts(no_show=1), 1.0, 0.0, 7.0, doctor=doctor),
    ]


def test_a_week_is_one_row_per_doctor(api, clinic):
    response = api(clinic.admin).get(URL, {"from": "2026-03-02", "to": "2026-03-08", "group": "week"})

    assert response.status_code == 200
    mine, others = response.json()["results"]
    assert mine == {
        "doctor": clinic.doctor.pk,
        "period_start": "2026-03-02",
        "period_end": "2026-03-08",
        "working_minutes": 1680,
        "booked_minutes": 250,
        "utilization": 0.1488,
        "appointments": counts(scheduled=1, confirmed=1, checked_in=1, completed=4, cancelled=2, no_show=2),
        "no_show_rate": 0.2857,
        "cancellation_rate": 0.1818,
        "median_lead_time_hours": 7.0,
    }
    assert others["doctor"] == clinic.other_doctor.pk
    assert (others["working_minutes"], others["booked_minutes"], others["utilization"]) == (0, 30, 0.0)
    assert others["appointments"] == counts(scheduled=1)


def test_weeks_are_iso_weeks_clipped_to_the_range(api, clinic):
    query = {"from": "2026-03-04", "to": "2026-03-10", "group": "week", "doctor": clinic.doctor.pk}
    response = api(clinic.staff).get(URL, query)

    assert response.status_code == 200
    first, second = response.json()["results"]
    assert (first["period_start"], first["period_end"], second["period_start"], second["period_end"]) == (
        "2026-03-04",
        "2026-03-08",
        "2026-03-09",
        "2026-03-10",
    )
    assert (first["working_minutes"], first["booked_minutes"], first["utilization"]) == (720, 60, 0.0833)
    assert first["appointments"] == counts(completed=2, cancelled=1, no_show=1)
    assert (second["working_minutes"], second["booked_minutes"], second["utilization"]) == (960, 40, 0.0417)
    assert second["appointments"] == counts(completed=1)


@pytest.mark.parametrize(
    ("sunday", "minutes"),
    [("2026-03-29", 120), ("2026-10-25", 240)],  # 01:00-04:00 as clocks go forward, then back
)
def test_working_minutes_are_real_minutes_across_dst(api, world, settings, sunday, minutes):
    settings.TIME_ZONE = "Europe/Berlin"
    WorkingHours.objects.create(doctor=world.doctor, weekday=6, start=time(1), end=time(4))
    response = api(world.doctor).get(URL, {"from": sunday, "to": sunday})
    assert response.status_code == 200
    assert [r["working_minutes"] for r in response.json()["results"]] == [minutes]


def test_a_doctor_without_a_doctor_parameter_gets_their_own_rows(api, clinic):
    response = api(clinic.other_doctor).get(URL, {"from": "2026-03-02", "to": "2026-03-03"})
    assert response.status_code == 200
    assert {r["doctor"] for r in response.json()["results"]} == {clinic.other_doctor.pk}


def test_a_doctor_naming_another_doctor_is_403(api, clinic):
    query = {"from": "2026-03-02", "to": "2026-03-03", "doctor": clinic.doctor.pk}
    response = api(clinic.other_doctor).get(URL, query)
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")


def test_staff_naming_no_doctor_get_no_rows(api, clinic):
    response = api(clinic.staff).get(
        URL, {"from": "2026-03-02", "to": "2026-03-03", "doctor": clinic.staff.pk}
    )
    assert (response.status_code, response.json()["results"]) == (200, [])


@pytest.mark.parametrize(
    ("query", "code", "field"),
    [
        ({"to": "2026-03-02"}, "validation_error", "from"),
        ({"from": "2026-03-02"}, "validation_error", "to"),
        ({"from": "2026-3-2", "to": "2026-03-02"}, "validation_error", "from"),
        ({"from": "20260302", "to": "2026-03-02"}, "validation_error", "from"),
        ({"from": "", "to": "2026-03-02"}, "validation_error", "from"),
        ({"from": "0001-01-01", "to": "0001-01-02"}, "validation_error", "from"),
        ({"from": "2026-03-02", "to": "2026-03-02", "group": "month"}, "validation_error", "group"),
        ({"from": "2026-03-02", "to": "2026-03-02", "group": ""}, "validation_error", "group"),
        ({"from": "2026-03-02", "to": "2026-03-02", "doctor": "1.5"}, "validation_error", "doctor"),
        ({"from": "2026-03-02", "to": "2026-03-02", "doctor": "0"}, "validation_error", "doctor"),
        ({"from": ["2026-03-02", "2026-03-03"], "to": "2026-03-04"}, "validation_error", "from"),
        ({"from": "2026-03-03", "to": "2026-03-02"}, "invalid_range", None),
        ({"from": "2025-01-01", "to": "2026-01-02"}, "range_too_long", None),
    ],
)
@pytest.mark.parametrize("url", [URL, CSV_URL])
def test_bad_queries_are_400_with_a_code(api, world, url, query, code, field):
    response = api(world.staff).get(url, query)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == code
    assert list(body.get("errors", {})) == ([field] if field else [])


def test_366_days_is_the_longest_range_and_unknown_parameters_are_ignored(api, world):
    response = api(world.staff).get(URL, {"from": "2028-01-01", "to": "2028-12-31", "nocache": "1"})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 2 * 366  # the world's two doctors, every day of a leap year


def test_csv_is_one_row_per_doctor_and_period(api, clinic):
    response = api(clinic.staff).get(CSV_URL, {"from": "2026-03-02", "to": "2026-03-08", "group": "week"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"] == 'attachment; filename="utilization-2026-03-02-2026-03-08-week.csv"'
    )
    assert response.content.decode().split("\r\n") == [
        "doctor,period_start,period_end,working_minutes,booked_minutes,utilization,"
        "appointments_scheduled,appointments_confirmed,appointments_checked_in,appointments_completed,"
        "appointments_cancelled,appointments_no_show,no_show_rate,cancellation_rate,median_lead_time_hours",
        f"{clinic.doctor.pk},2026-03-02,2026-03-08,1680,250,0.1488,1,1,1,4,2,2,0.2857,0.1818,7.0",
        f"{clinic.other_doctor.pk},2026-03-02,2026-03-08,0,30,0.0,1,0,0,0,0,0,0.0,0.0,0.0",
        "",
    ]


def test_csv_leaves_the_median_empty_without_appointments(api, world):
    response = api(world.doctor).get(CSV_URL, {"from": "2026-03-05", "to": "2026-03-05"})
    assert (
        response.content.decode().splitlines()[1]
        == f"{world.doctor.pk},2026-03-05,2026-03-05,0,0,0.0,0,0,0,0,0,0,0.0,0.0,"
    )


def test_csv_refuses_an_accept_it_cannot_satisfy_in_json(api, world):
    response = api(world.staff).get(
        CSV_URL, {"from": "2026-03-02", "to": "2026-03-02"}, HTTP_ACCEPT="application/json"
    )
    assert (response.status_code, response.json()["code"]) == (406, "not_acceptable")


@pytest.mark.parametrize("url", [URL, CSV_URL])
def test_one_aggregate_query_whatever_the_range(api, clinic, django_assert_max_num_queries, url):
    """The doctors, their working hours, their time off, and one aggregate."""
    client, used = api(clinic.staff), []
    for last in ("2026-03-02", "2027-03-01"):  # one day, then a year
        with django_assert_max_num_queries(4), CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"from": "2026-03-02", "to": last}).status_code == 200
        used.append(len(queries))
    assert used[0] == used[1]


def test_the_schema_describes_both_routes_with_typed_fields():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    json_answer = schema["paths"]["/api/v1/reports/utilization/"]["get"]["responses"]["200"]["content"]
    assert json_answer["application/json"]["schema"] == {"$ref": "#/components/schemas/UtilizationReport"}
    csv_answer = schema["paths"]["/api/v1/reports/utilization.csv/"]["get"]["responses"]["200"]["content"]
    assert list(csv_answer) == ["text/csv"]
    components = schema["components"]["schemas"]
    report, row = components["UtilizationReport"], components["UtilizationRow"]
    assert set(report["required"]) == {"from", "to", "group", "time_zone", "results"}
    assert row["properties"]["utilization"] == {
        "type": "number",
        "format": "double",
        "minimum": 0,
        "maximum": 1,
    }
    assert row["properties"]["median_lead_time_hours"]["nullable"] is True
    counts_schema = components["UtilizationAppointments"]
    assert set(counts_schema["required"]) == set(STATUSES)
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/reports/utilization/"]["get"]["parameters"]}
    assert parameters["group"]["schema"]["enum"] == ["day", "week"]
    assert parameters["from"]["required"] and parameters["to"]["required"]
    assert not parameters["doctor"].get("required", False)
    assert parameters["doctor"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 2147483647}
