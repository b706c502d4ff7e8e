"""appointments/calendar.ics and the private subscription URL."""

import pytest
from icalendar import Calendar

from scheduling.models import CalendarFeed
from scheduling.tests.factories import AppointmentFactory, next_slot

pytestmark = pytest.mark.django_db
ICS = "/api/v1/appointments/calendar.ics"


def events(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content).walk("VEVENT")


@pytest.fixture
def visits(world):
    world.client.first_name, world.client.last_name = "Ada", "Lovelace"
    world.client.save()
    return {
        "mine": AppointmentFactory(
            doctor=world.doctor,
            client=world.client,
            starts_at=next_slot(days=2),
            reason="Chest pain",
            notes="Secret",
        ),
        "cancelled": AppointmentFactory(
            doctor=world.doctor, client=world.client, starts_at=next_slot(days=3), status="cancelled"
        ),
        "theirs": AppointmentFactory(
            doctor=world.other_doctor, client=world.other_client, starts_at=next_slot(days=4)
        ),
    }


@pytest.mark.parametrize(
    ("role", "expected"), [("doctor", ["mine"]), ("patient", ["mine"]), ("other_doctor", ["theirs"])]
)
def test_own_non_cancelled_appointments(world, api, visits, role, expected):
    uids = [str(e["UID"]) for e in events(api(world.user(role)).get(ICS))]
    assert uids == [f"appointment-{visits[name].pk}@clinic" for name in expected]


@pytest.mark.parametrize("role", ["admin", "staff"])
def test_staff_need_a_doctor(world, api, visits, role):
    response = api(world.user(role)).get(ICS)
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    uids = [str(e["UID"]) for e in events(api(world.user(role)).get(ICS, {"doctor": world.other_doctor.pk}))]
    assert uids == [f"appointment-{visits['theirs'].pk}@clinic"]


def test_events_hold_times_initials_and_status_only(world, api, visits):
    response = api(world.doctor).get(ICS)
    (event,) = events(response)
    assert event["SUMMARY"] == "Appointment A.L. (scheduled)"
    assert event.decoded("DTSTART") == visits["mine"].starts_at
    assert event.decoded("DTEND") == visits["mine"].ends_at
    for phi in (b"Ada", b"Lovelace", b"Chest pain", b"Secret"):
        assert phi not in response.content


def test_anonymous_is_refused(api):
    assert api().get(ICS).status_code == 401


def test_doctor_that_is_no_id_is_400_not_500(world, api):
    response = api(world.staff).get(ICS, {"doctor": "²"})  # str.isdigit() says yes, int() says no
    assert response.status_code == 400
    assert response.json()["errors"] == {"doctor": ["Must be a doctor's id."]}


class TestAcceptHeader:
    """Calendar apps and Swagger UI's "Try it out" send `Accept: text/calendar`."""

    @pytest.mark.parametrize(
        "accept",
        [
            None,
            "text/calendar",
            "text/calendar; charset=utf-8",
            "*/*",
            "text/*",
            "application/json, text/plain, */*",
        ],
    )
    def test_calendar_is_served(self, world, api, visits, accept):
        headers = {} if accept is None else {"HTTP_ACCEPT": accept}
        response = api(world.doctor).get(ICS, **headers)
        assert response["Content-Type"] == "text/calendar; charset=utf-8"
        assert [str(e["UID"]) for e in events(response)] == [f"appointment-{visits['mine'].pk}@clinic"]

    @pytest.mark.parametrize("accept", ["image/png", "application/json", "text/html"])
    def test_accept_without_text_calendar_is_json_406(self, world, api, visits, accept):
        response = api(world.doctor).get(ICS, HTTP_ACCEPT=accept)
        assert response.status_code == 406
        assert response["Content-Type"] == "application/json"
        assert response.json() == {
            "detail": "Could not satisfy the request Accept header.",
            "code": "not_acceptable",
        }

    @pytest.mark.parametrize(
        ("role", "params", "status", "code"),
        [
            ("anonymous", {}, 401, "not_authenticated"),
            ("staff", {}, 400, "validation_error"),
            ("staff", {"doctor": "x"}, 400, "validation_error"),
            ("doctor", {"doctor": "other_doctor"}, 404, "not_found"),
        ],
    )
    def test_errors_stay_json_when_only_text_calendar_is_accepted(
        self, world, api, role, params, status, code
    ):
        params = {
            name: world.other_doctor.pk if value == "other_doctor" else value
            for name, value in params.items()
        }
        response = api(world.user(role)).get(ICS, params, HTTP_ACCEPT="text/calendar")
        assert response.status_code == status
        assert response["Content-Type"] == "application/json"
        assert response.json()["code"] == code

    def test_schema_declares_text_calendar_and_the_json_406(self, api, db):
        schema = api().get("/api/schema/", {"format": "json"}).json()
        responses = schema["paths"]["/api/v1/appointments/calendar.ics/"]["get"]["responses"]
        assert responses["200"]["content"] == {
            "text/calendar": {"schema": {"type": "string", "format": "binary"}}
        }
        assert _error_codes(responses["406"]) == ["not_acceptable"]
        assert _error_codes(responses["401"]) == ["not_authenticated", "token_not_valid"]


class TestSubscription:
    def test_feed_url_serves_the_calendar_without_a_header(self, world, api, visits, client):
        body = api(world.doctor).get("/api/v1/calendar/feed").json()
        assert body["url"].startswith("http://testserver/calendar/")
        assert body["url"].endswith(".ics")
        assert api(world.doctor).get("/api/v1/calendar/feed/").json() == body
        path = body["url"].removeprefix("http://testserver")
        (event,) = events(client.get(path))
        assert str(event["UID"]) == f"appointment-{visits['mine'].pk}@clinic"

    def test_only_a_hash_is_searchable_and_the_token_is_encrypted(self, world, api):
        url = api(world.doctor).get("/api/v1/calendar/feed").json()["url"]
        token = url.rsplit("/", 1)[1].removesuffix(".ics")
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT token, token_hash FROM scheduling_calendarfeed")
            stored_token, stored_hash = cursor.fetchone()
        assert token not in stored_token
        assert token not in stored_hash

    def test_rotate_kills_the_old_url(self, world, api, client):
        old = api(world.doctor).get("/api/v1/calendar/feed").json()["url"]
        response = api(world.doctor).post("/api/v1/calendar/feed/rotate")
        assert response.status_code == 200
        new = response.json()["url"]
        assert new != old
        assert client.get(old.removeprefix("http://testserver")).status_code == 404
        assert client.get(new.removeprefix("http://testserver")).status_code == 200
        assert CalendarFeed.objects.count() == 1

    def test_unknown_token_and_inactive_user_are_404(self, world, api, client):
        url = api(world.doctor).get("/api/v1/calendar/feed").json()["url"].removeprefix("http://testserver")
        assert client.get("/calendar/" + "x" * 43 + ".ics").status_code == 404
        world.doctor.is_active = False
        world.doctor.save()
        assert client.get(url).status_code == 404

    def test_anonymous_gets_no_feed(self, api):
        assert api().get("/api/v1/calendar/feed").status_code == 401
        assert api().post("/api/v1/calendar/feed/rotate").status_code == 401


def _error_codes(response: dict) -> list[str]:
    """The codes an error answer's schema allows: the Error component narrowed to an enum."""
    base, narrowed = response["content"]["application/json"]["schema"]["allOf"]
    assert base == {"$ref": "#/components/schemas/Error"}
    return narrowed["properties"]["code"]["enum"]
