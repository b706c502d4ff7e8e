"""Recurring series (API.md, "Recurring series"): all or nothing, the rule's
checks, local wall-clock time across daylight saving, cancelling the rest."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail

from accounts.models import AuditEvent
from scheduling.models import Appointment, AppointmentSeries, Reminder, ReminderStatus, Status, TimeOff
from scheduling.tests.factories import AppointmentFactory, AppointmentTypeFactory, RoomFactory, next_slot
from scheduling.tests.reminder_support import run_worker

pytestmark = pytest.mark.django_db
URL = "/api/v1/appointment-series/"
WEEK = timedelta(weeks=1)


def series_body(world, starts_at, rrule="FREQ=WEEKLY;COUNT=4", **extra) -> dict:
    return {
        "client": world.client.pk,
        "doctor": world.doctor.pk,
        "starts_at": starts_at.isoformat(),
        "duration_minutes": 30,
        "rrule": rrule,
        "reason": "Physiotherapy",
        **extra,
    }


def refused(response, status: int, code: str) -> None:
    assert (response.status_code, response.json()["code"]) == (status, code), response.json()


def nothing_stored() -> None:
    assert not AppointmentSeries.objects.exists()
    assert not Appointment.objects.filter(series__isnull=False).exists()
    assert not AuditEvent.objects.filter(object_type="appointmentseries").exists()


class TestCreate:
    def test_a_weekly_series_books_every_visit_with_its_own_reminders(self, world, api, settings):
        start = next_slot(days=3)
        response = api(world.staff).post(URL, series_body(world, start), format="json")
        assert response.status_code == 201, response.json()
        body = response.json()
        series = AppointmentSeries.objects.get()
        assert (body["id"], body["rrule"], body["client"], body["doctor"]) == (
            series.pk, "FREQ=WEEKLY;COUNT=4", world.client.pk, world.doctor.pk
        )  # fmt: skip
        visits = list(Appointment.objects.order_by("starts_at"))
        assert [visit.starts_at for visit in visits] == [start + n * WEEK for n in range(4)]
        assert [row["id"] for row in body["appointments"]] == [visit.pk for visit in visits]
        assert {row["series"] for row in body["appointments"]} == {series.pk}
        assert {(visit.series_id, visit.status, visit.reason) for visit in visits} == {
            (series.pk, Status.SCHEDULED, "Physiotherapy")
        }
        offsets = len(settings.REMINDER_OFFSETS_MINUTES)
        assert Reminder.objects.filter(appointment__series=series).count() == 4 * offsets
        assert AuditEvent.objects.filter(object_type="appointmentseries", object_id=str(series.pk)).exists()

    def test_one_confirmation_email_for_the_series(self, world, api, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            response = api(world.staff).post(URL, series_body(world, next_slot(days=3)), format="json")
        assert response.status_code == 201
        run_worker()
        confirmations = [m for m in mail.outbox if m.extra_headers.get("X-Clinic-Email") == "confirmation"]
        assert len(confirmations) == 1

    def test_a_doctor_books_a_series_for_themselves_only(self, world, api):
        own = api(world.doctor).post(URL, series_body(world, next_slot(days=3)), format="json")
        assert own.status_code == 201
        body = series_body(world, next_slot(days=3), doctor=world.other_doctor.pk)
        refused(api(world.doctor).post(URL, body, format="json"), 403, "permission_denied")
        assert AppointmentSeries.objects.count() == 1

    def test_the_type_gives_the_length_and_a_room_it_needs_is_400(self, world, api):
        visit_type = AppointmentTypeFactory(duration_minutes=45, requires_room=True)
        body = series_body(world, next_slot(days=3), appointment_type=visit_type.pk)
        del body["duration_minutes"]
        refused(api(world.staff).post(URL, body, format="json"), 400, "room_required")
        nothing_stored()
        body["room"] = RoomFactory().pk
        response = api(world.staff).post(URL, body, format="json")
        assert response.status_code == 201
        assert {row["duration_minutes"] for row in response.json()["appointments"]} == {45}

    def test_a_start_in_the_past_is_400(self, world, api):
        response = api(world.staff).post(URL, series_body(world, next_slot(days=-7)), format="json")
        refused(response, 400, "validation_error")
        assert "starts_at" in response.json()["errors"]
        nothing_stored()


INVALID_RULES = [
    "FREQ=YEARLY;COUNT=2",
    "FREQ=HOURLY;COUNT=2",
    "FREQ=WEEKLY",  # neither COUNT nor UNTIL
    "FREQ=WEEKLY;COUNT=2;UNTIL=20300101",
    "COUNT=3",
    "FREQ=WEEKLY;COUNT=53",
    "FREQ=WEEKLY;COUNT=0",
    "FREQ=WEEKLY;COUNT=02",
    "FREQ=WEEKLY;COUNT=2;INTERVAL=0",
    "FREQ=WEEKLY;COUNT=2;BYMONTH=3",
    "FREQ=WEEKLY;COUNT=2;COUNT=3",
    "FREQ=WEEKLY;COUNT=2;BYDAY=XX",
    "FREQ=WEEKLY;COUNT=2;BYDAY=1MO",  # an ordinal only with MONTHLY
    "FREQ=WEEKLY;COUNT=2;",
    "RRULE:FREQ=WEEKLY;COUNT=2",
    "freq=weekly;count=2",
    "FREQ=DAILY;UNTIL=tomorrow",
    "",
]


class TestTheRule:
    @pytest.mark.parametrize("rule", INVALID_RULES)
    def test_a_rule_outside_the_accepted_parts_is_400_invalid_rrule(self, world, api, rule):
        response = api(world.staff).post(URL, series_body(world, next_slot(days=3), rule), format="json")
        expected = "validation_error" if rule == "" else "invalid_rrule"
        refused(response, 400, expected)
        nothing_stored()

    def test_the_detail_is_in_the_callers_language(self, world, api):
        body = series_body(world, next_slot(days=3), "FREQ=YEARLY;COUNT=2")
        response = api(world.staff).post(URL, body, format="json", HTTP_ACCEPT_LANGUAGE="de")
        refused(response, 400, "invalid_rrule")
        assert response.json()["detail"] == "FREQ muss DAILY, WEEKLY oder MONTHLY sein."

    def test_more_than_52_visits_or_until_beyond_a_year_is_400(self, world, api):
        start = next_slot(days=3)
        daily = f"FREQ=DAILY;UNTIL={(start + timedelta(days=60)):%Y%m%d}"
        refused(
            api(world.staff).post(URL, series_body(world, start, daily), format="json"), 400, "invalid_rrule"
        )
        far = f"FREQ=MONTHLY;UNTIL={(start + timedelta(days=400)):%Y%m%d}"
        refused(
            api(world.staff).post(URL, series_body(world, start, far), format="json"), 400, "invalid_rrule"
        )
        nothing_stored()

    def test_the_start_must_be_one_of_the_rules_dates(self, world, api):
        start = next_slot(days=3)
        other_day = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][(start.weekday() + 1) % 7]
        rule = f"FREQ=WEEKLY;COUNT=3;BYDAY={other_day}"
        refused(
            api(world.staff).post(URL, series_body(world, start, rule), format="json"), 400, "invalid_rrule"
        )

    def test_until_a_date_includes_that_day_and_byday_picks_the_days(self, world, api, settings):
        settings.TIME_ZONE = "Europe/Berlin"
        start = datetime.combine(_next_monday(), datetime.min.time().replace(hour=9), tzinfo=_berlin())
        until = start + timedelta(days=9)  # the Wednesday of the next week
        rule = f"FREQ=WEEKLY;UNTIL={until:%Y%m%d};BYDAY=MO,WE"
        response = api(world.staff).post(URL, series_body(world, start, rule), format="json")
        assert response.status_code == 201, response.json()
        starts = [visit.starts_at for visit in Appointment.objects.order_by("starts_at")]
        assert starts == [start, start + timedelta(days=2), start + WEEK, until]


def _berlin():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/Berlin")


def _next_monday() -> date:
    today = datetime.now(UTC).date() + timedelta(days=3)
    return today + timedelta(days=(7 - today.weekday()) % 7)


def _spring_forward(year: int) -> date:
    """The last Sunday of March: Europe's clocks go forward."""
    last = date(year, 3, 31)
    return last - timedelta(days=(last.weekday() + 1) % 7)


class TestDaylightSaving:
    def test_a_weekly_series_across_the_change_stays_at_nine_local(self, world, api, settings):
        settings.TIME_ZONE = "Europe/Berlin"
        change = _spring_forward(datetime.now(UTC).year + 1)
        first = datetime.combine(change - timedelta(days=13), datetime.min.time().replace(hour=9))
        start = first.replace(tzinfo=_berlin())  # a Monday, two weeks before the change
        response = api(world.staff).post(URL, series_body(world, start), format="json")
        assert response.status_code == 201, response.json()
        visits = list(Appointment.objects.order_by("starts_at"))
        local = [visit.starts_at.astimezone(_berlin()) for visit in visits]
        assert [(moment.hour, moment.minute) for moment in local] == [(9, 0)] * 4
        assert [moment.utcoffset() for moment in local] == [timedelta(hours=h) for h in (1, 1, 2, 2)]
        assert [visit.starts_at.astimezone(UTC).hour for visit in visits] == [8, 8, 7, 7]
        assert visits[2].starts_at - visits[1].starts_at == WEEK - timedelta(hours=1)
        assert [row["starts_at"][-6:] for row in response.json()["appointments"]] == [
            "+01:00", "+01:00", "+02:00", "+02:00"
        ]  # fmt: skip


class TestAllOrNothing:
    def test_every_refused_visit_is_listed_and_nothing_is_booked(self, world, api, settings):
        start = next_slot(days=3)
        room = RoomFactory()
        TimeOff.objects.create(
            doctor=world.doctor, starts_at=start + WEEK, ends_at=start + WEEK + timedelta(hours=1)
        )
        AppointmentFactory(doctor=world.doctor, starts_at=start + 2 * WEEK)
        AppointmentFactory(client=world.client, doctor=world.other_doctor, starts_at=start + 3 * WEEK)
        AppointmentFactory(doctor=world.other_doctor, room=room, starts_at=start + 4 * WEEK)
        before = (Appointment.objects.count(), Reminder.objects.count(), AuditEvent.objects.count())
        body = series_body(world, start, "FREQ=WEEKLY;COUNT=6", room=room.pk)
        response = api(world.staff).post(URL, body, format="json")
        refused(response, 409, "series_conflict")
        assert response.json()["conflicts"] == [
            {"starts_at": _iso(start + WEEK), "code": "outside_working_hours"},
            {"starts_at": _iso(start + 2 * WEEK), "code": "slot_taken"},
            {"starts_at": _iso(start + 3 * WEEK), "code": "client_busy"},
            {"starts_at": _iso(start + 4 * WEEK), "code": "room_taken"},
        ]
        assert (Appointment.objects.count(), Reminder.objects.count(), AuditEvent.objects.count()) == before
        nothing_stored()

    def test_a_refused_series_sends_and_schedules_nothing(
        self, world, api, django_capture_on_commit_callbacks
    ):
        start = next_slot(days=3)
        AppointmentFactory(doctor=world.doctor, starts_at=start + WEEK)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = api(world.staff).post(URL, series_body(world, start), format="json")
        refused(response, 409, "series_conflict")
        assert callbacks == []
        run_worker()
        assert mail.outbox == []

    def test_the_doctors_time_is_named_before_the_clients(self, world, api):
        start = next_slot(days=3)
        AppointmentFactory(client=world.client, doctor=world.doctor, starts_at=start)
        response = api(world.staff).post(URL, series_body(world, start, "FREQ=WEEKLY;COUNT=2"), format="json")
        refused(response, 409, "series_conflict")
        assert response.json()["conflicts"] == [{"starts_at": _iso(start), "code": "slot_taken"}]


def _iso(moment: datetime) -> str:
    from config.representation import iso_datetime

    return iso_datetime(moment)


def _book(world, api, start, rule="FREQ=WEEKLY;COUNT=4") -> dict:
    response = api(world.staff).post(URL, series_body(world, start, rule), format="json")
    assert response.status_code == 201, response.json()
    return response.json()


class TestCancel:
    def test_cancel_from_a_moment_cancels_the_scheduled_and_confirmed_from_then(self, world, api):
        start = next_slot(days=3)
        series = _book(world, api, start)
        ids = [row["id"] for row in series["appointments"]]
        Appointment.objects.filter(pk=ids[3]).update(status=Status.CONFIRMED)
        response = api(world.doctor).post(
            f"{URL}{series['id']}/cancel", {"from": (start + 2 * WEEK).isoformat()}, format="json"
        )
        assert response.status_code == 200, response.json()
        statuses = dict(Appointment.objects.values_list("pk", "status"))
        assert [statuses[pk] for pk in ids] == ["scheduled", "scheduled", "cancelled", "cancelled"]
        assert [row["status"] for row in response.json()["appointments"]] == [statuses[pk] for pk in ids]
        pending = Reminder.objects.filter(status=ReminderStatus.PENDING).values_list(
            "appointment_id", flat=True
        )
        assert set(pending) == set(ids[:2])

    def test_cancel_from_a_date_starts_at_that_local_day(self, world, api, settings):
        settings.TIME_ZONE = "Europe/Berlin"
        start = datetime.combine(_next_monday(), datetime.min.time().replace(hour=9), tzinfo=_berlin())
        series = _book(world, api, start)
        day = (start + WEEK).date().isoformat()
        response = api(world.staff).post(f"{URL}{series['id']}/cancel", {"from": day}, format="json")
        assert response.status_code == 200
        assert [row["status"] for row in response.json()["appointments"]] == ["scheduled"] + ["cancelled"] * 3

    def test_cancel_without_a_body_cancels_everything_ahead_and_leaves_the_rest(self, world, api):
        series = _book(world, api, next_slot(days=3))
        first = series["appointments"][0]["id"]
        Appointment.objects.filter(pk=first).update(status=Status.CHECKED_IN)
        response = api(world.staff).post(f"{URL}{series['id']}/cancel")
        assert response.status_code == 200
        assert [row["status"] for row in response.json()["appointments"]] == [
            "checked_in",
            "cancelled",
            "cancelled",
            "cancelled",
        ]
        again = api(world.staff).post(f"{URL}{series['id']}/cancel")
        assert again.json() == response.json()

    def test_a_bad_from_is_400_and_cancels_nothing(self, world, api):
        series = _book(world, api, next_slot(days=3))
        response = api(world.staff).post(f"{URL}{series['id']}/cancel", {"from": "next week"}, format="json")
        refused(response, 400, "validation_error")
        assert not Appointment.objects.filter(status=Status.CANCELLED).exists()


class TestRead:
    def test_each_role_sees_what_it_may(self, world, api):
        series = _book(world, api, next_slot(days=3))
        url = f"{URL}{series['id']}"
        for role, status in [("admin", 200), ("staff", 200), ("doctor", 200), ("patient", 200),
                             ("other_doctor", 404), ("other_patient", 404)]:  # fmt: skip
            response = api(world.user(role)).get(url)
            assert response.status_code == status, role
            listed = api(world.user(role)).get(URL).json()["results"]
            assert [row["id"] for row in listed] == ([series["id"]] if status == 200 else []), role

    def test_a_patient_may_not_book_or_cancel_a_series(self, world, api):
        series = _book(world, api, next_slot(days=3))
        refused(api(world.patient).post(f"{URL}{series['id']}/cancel"), 403, "permission_denied")
        refused(api(world.patient).post(URL, series_body(world, next_slot(days=30)), format="json"), 403,
                "permission_denied")  # fmt: skip

    def test_reads_take_a_fixed_number_of_queries(self, world, api, django_assert_max_num_queries):
        for days in (3, 4, 5):
            _book(world, api, next_slot(days=days), "FREQ=WEEKLY;COUNT=10")
        staff = api(world.staff)
        staff.get(URL)  # the user's cache is warm, as for every request after the first
        series_id = AppointmentSeries.objects.first().pk
        with django_assert_max_num_queries(4):
            assert len(staff.get(f"{URL}{series_id}").json()["appointments"]) == 10
        with django_assert_max_num_queries(5):
            assert [len(row["appointments"]) for row in staff.get(URL).json()["results"]] == [10, 10, 10]


@pytest.mark.django_db(transaction=True)
def test_the_series_migrations_go_forward_and_back_with_visits_in_place(world):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    visit = AppointmentFactory(client=world.client, doctor=world.doctor)
    MigrationExecutor(connection).migrate([("scheduling", "0010_languages")])
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM scheduling_appointment WHERE id = %s", [visit.pk])
            assert cursor.fetchone() == (1,)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'appointment_series'")
        assert "WHERE (series_id IS NOT NULL)" in cursor.fetchone()[0]
    assert Appointment.objects.get(pk=visit.pk).series is None
