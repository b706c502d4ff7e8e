"""The role matrix: one table, role x endpoint x method -> status, for every
route under /api/v1/. A route the URLconf has and the table lacks fails the
build (`test_every_api_route_is_in_the_table`).

Ids come from the `world` fixture: `{client}` is the patient's record, assigned
to `doctor`; `other_doctor` and `other_patient` reach for it and get 404 (not
theirs), never 403 and never the record. Bodies are the ones the allowed roles
may send, so a refusal is about who asks, not what they send.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts import tokens
from accounts.audit import record_event
from accounts.models import AuditAction, AuditEvent
from accounts.tests.factories import PASSWORD
from clinic.documents.services import store_document
from scheduling.models import Appointment, AppointmentSeries, AppointmentType, Room, Status, TimeOff
from scheduling.tests.factories import AppointmentFactory, next_slot
from scheduling.waitlist import offers
from scheduling.waitlist.models import WaitlistEntry

ROLES = ("admin", "staff", "doctor", "other_doctor", "patient", "other_patient", "anonymous")
NEW_PASSWORD = "an0ther-Correct-horse!"


def _statuses(spec: str) -> dict:
    codes = [int(code) for code in spec.split()]
    assert len(codes) == len(ROLES), spec
    return dict(zip(ROLES, codes, strict=True))


def _login_body(world, user):
    return {"username": world.patient.username, "password": PASSWORD}


def _own_refresh(world, user):
    return {"refresh_token": tokens.pair_for(user or world.patient).refresh_token}


def _reset_confirm(world, user):
    uid = urlsafe_base64_encode(force_bytes(world.patient.pk))
    return {
        "uid": uid,
        "token": default_token_generator.make_token(world.patient),
        "new_password": NEW_PASSWORD,
    }


def _client_change(world, user):
    """A field each role may change on a record it sees (API.md, Clients)."""
    if user is not None and user.is_patient:
        return {"phone": "+15550001111"}
    return {"notes": "seen today"}


def _booking(world, user):
    return {
        "client": world.client.pk,
        "other_client": world.other_client.pk,
        "doctor": world.doctor.pk,
        "starts_at": next_slot(days=40).isoformat(),
        "duration_minutes": 30,
    }


def _series(world, user):
    return {
        "client": world.client.pk,
        "doctor": world.doctor.pk,
        "starts_at": next_slot(days=45).isoformat(),
        "rrule": "FREQ=WEEKLY;COUNT=3",
    }


def _waitlist_entry(world, user):
    today = timezone.localdate()
    return {
        "client": world.client.pk,
        "earliest_date": today.isoformat(),
        "latest_date": (today + timedelta(days=30)).isoformat(),
    }


def _time_off(world, user):
    start = next_slot(days=60)
    return {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat()}


class Multipart(dict):
    """A body sent as multipart/form-data (uploads) instead of JSON."""


def _upload(world, user):
    return Multipart(
        title="Referral", kind="referral", file=SimpleUploadedFile("note.txt", b"Referred to ENT.")
    )


TOMORROW = "{tomorrow}"

# fmt: off
# (route name, method, path, body(world, user) or None, statuses in ROLES order)
#                                                                  adm stf doc odoc pat opat anon
TABLE = [
    ("auth-register", "post", "auth/register", lambda w, u: {
        "email": "new@clinic.test", "username": "newcomer", "password": NEW_PASSWORD,
    }, "201 201 201 201 201 201 201"),
    ("auth-login", "post", "auth/login", _login_body, "200 200 200 200 200 200 200"),
    ("auth-refresh", "post", "auth/refresh", _own_refresh, "200 200 200 200 200 200 200"),
    ("auth-logout", "post", "auth/logout", _own_refresh, "204 204 204 204 204 204 401"),
    ("auth-me", "get", "auth/me", None, "200 200 200 200 200 200 401"),
    ("auth-password-change", "post", "auth/password/change", lambda w, u: {
        "old_password": PASSWORD, "new_password": NEW_PASSWORD,
    }, "204 204 204 204 204 204 401"),
    ("auth-mfa", "get", "auth/mfa", None, "200 200 200 200 200 200 401"),
    ("auth-mfa-totp", "post", "auth/mfa/totp", None, "201 201 201 201 201 201 401"),
    ("auth-mfa-totp", "delete", "auth/mfa/totp", lambda w, u: {"password": PASSWORD},
     "400 400 400 400 400 400 401"),
    ("auth-mfa-totp-confirm", "post", "auth/mfa/totp/confirm", lambda w, u: {},
     "400 400 400 400 400 400 401"),
    ("auth-mfa-recovery-codes", "post", "auth/mfa/recovery-codes", lambda w, u: {"code": "1"},
     "400 400 400 400 400 400 401"),
    ("auth-mfa-verify", "post", "auth/mfa/verify", lambda w, u: {"code": "123456"},
     "400 400 400 400 400 400 400"),
    ("auth-mfa-passkey-options", "post", "auth/mfa/passkey-options", lambda w, u: {},
     "400 400 400 400 400 400 400"),
    ("auth-passkeys-options", "post", "auth/passkeys/options", None, "200 200 200 200 200 200 401"),
    ("auth-passkeys", "get", "auth/passkeys", None, "200 200 200 200 200 200 401"),
    ("auth-passkeys", "post", "auth/passkeys", lambda w, u: {"name": "Key"},
     "400 400 400 400 400 400 401"),
    ("auth-passkey-detail", "delete", "auth/passkeys/999999", None, "404 404 404 404 404 404 401"),
    ("auth-password-reset", "post", "auth/password/reset", lambda w, u: {"email": w.patient.email},
     "202 202 202 202 202 202 202"),
    ("auth-password-reset-confirm", "post", "auth/password/reset/confirm", _reset_confirm,
     "204 204 204 204 204 204 204"),
    ("user-list", "get", "users", None, "200 403 403 403 403 403 401"),
    ("user-list", "post", "users", lambda w, u: {
        "email": "made@clinic.test", "username": "made", "password": NEW_PASSWORD, "role": "staff",
    }, "201 403 403 403 403 403 401"),
    ("user-me", "get", "users/me", None, "200 200 200 200 200 200 401"),
    ("user-me", "patch", "users/me", lambda w, u: {"full_name": "New Name"}, "200 200 200 200 200 200 401"),
    ("user-detail", "get", "users/{patient_user}", None, "200 403 403 403 403 403 401"),
    ("user-detail", "patch", "users/{patient_user}", lambda w, u: {"full_name": "X"},
     "200 403 403 403 403 403 401"),
    ("user-detail", "delete", "users/{patient_user}", None, "204 403 403 403 403 403 401"),
    ("doctor-list", "get", "doctors", None, "200 200 200 200 200 200 401"),
    ("audit-event-list", "get", "audit-events", None, "200 403 403 403 403 403 401"),
    ("audit-event-detail", "get", "audit-events/{audit}", None, "200 403 403 403 403 403 401"),
    ("client-list", "get", "clients", None, "200 200 200 200 200 200 401"),
    ("client-list", "post", "clients", lambda w, u: {"first_name": "Ann", "last_name": "Lee"},
     "201 201 403 403 403 403 401"),
    ("client-detail", "get", "clients/{client}", None, "200 200 200 404 200 404 401"),
    ("client-detail", "patch", "clients/{client}", _client_change, "200 200 200 404 200 404 401"),
    ("client-detail", "delete", "clients/{client}", None, "204 403 403 403 403 403 401"),
    ("client-document-list", "get", "clients/{client}/documents", None, "200 200 200 404 200 404 401"),
    ("client-document-list", "post", "clients/{client}/documents", _upload, "201 201 201 404 201 404 401"),
    ("client-document-detail", "get", "clients/{client}/documents/{document}", None,
     "200 200 200 404 200 404 401"),
    ("client-document-download", "get", "clients/{client}/documents/{document}/download", None,
     "200 200 200 404 200 404 401"),
    ("client-document-detail", "delete", "clients/{client}/documents/{document}", None,
     "204 403 403 404 403 404 401"),
    ("client-export-json", "get", "clients/{client}/export.json", None, "200 200 200 404 200 404 401"),
    ("client-export-pdf", "get", "clients/{client}/export.pdf", None, "200 200 200 404 200 404 401"),
    ("client-emergency-access", "post", "clients/{other_client}/emergency-access", lambda w, u: {
        "reason": "Unconscious in the waiting room",
    }, "201 201 201 201 403 403 401"),
    ("appointment-calendar", "get", "appointments/calendar.ics?doctor={doctor}", None,
     "200 200 200 404 200 200 401"),
    ("calendar-feed", "get", "calendar/feed", None, "200 200 200 200 200 200 401"),
    ("calendar-feed-rotate", "post", "calendar/feed/rotate", None, "200 200 200 200 200 200 401"),
    ("doctor-availability", "get", "doctors/{doctor}/availability?date=" + TOMORROW, None,
     "200 200 200 200 200 200 401"),
    ("doctor-working-hours", "get", "doctors/{doctor}/working-hours", None, "200 200 200 403 403 403 401"),
    ("doctor-working-hours", "put", "doctors/{doctor}/working-hours", lambda w, u: [
        {"weekday": 0, "start": "09:00", "end": "17:00"},
    ], "200 200 200 403 403 403 401"),
    ("doctor-time-off", "get", "doctors/{doctor}/time-off", None, "200 200 200 403 403 403 401"),
    ("doctor-time-off", "post", "doctors/{doctor}/time-off", _time_off, "201 201 201 403 403 403 401"),
    ("doctor-time-off-detail", "delete", "doctors/{doctor}/time-off/{time_off}", None,
     "204 204 204 403 403 403 401"),
    ("appointment-reminders", "get", "appointments/{appt}/reminders", None, "200 200 200 404 403 403 401"),
    ("appointment-list", "get", "appointments", None, "200 200 200 200 200 200 401"),
    ("appointment-list", "post", "appointments", _booking, "201 201 403 403 201 400 401"),
    ("appointment-detail", "get", "appointments/{appt}", None, "200 200 200 404 200 404 401"),
    ("appointment-detail", "patch", "appointments/{appt}", lambda w, u: {"notes": "ok"},
     "200 200 200 404 403 403 401"),
    ("appointment-detail", "delete", "appointments/{appt}", None, "204 403 403 403 403 403 401"),
    ("appointment-cancel", "post", "appointments/{appt}/cancel", None, "200 200 200 404 200 404 401"),
    ("appointment-confirm", "post", "appointments/{appt}/confirm", None, "200 200 200 404 403 403 401"),
    ("appointment-check-in", "post", "appointments/{appt_confirmed}/check-in", None,
     "200 200 200 404 403 403 401"),
    ("appointment-complete", "post", "appointments/{appt_checked_in}/complete", None,
     "200 200 200 404 403 403 401"),
    ("appointment-no-show", "post", "appointments/{appt_past}/no-show", None, "200 200 200 404 403 403 401"),
    # A doctor reads only their own report: naming another doctor is 403 (as their schedule is).
    ("report-utilization", "get", "reports/utilization?from={tomorrow}&to={tomorrow}", None,
     "200 200 200 200 403 403 401"),
    ("report-utilization", "get", "reports/utilization?from={tomorrow}&to={tomorrow}&doctor={doctor}", None,
     "200 200 200 403 403 403 401"),
    ("report-utilization-csv", "get", "reports/utilization.csv?from={tomorrow}&to={tomorrow}&doctor={doctor}",
     None, "200 200 200 403 403 403 401"),
    ("appointment-type-list", "get", "appointment-types", None, "200 200 200 200 200 200 401"),
    ("appointment-type-list", "post", "appointment-types", lambda w, u: {
        "name": "Long consultation", "duration_minutes": 60, "buffer_after_minutes": 10,
    }, "201 403 403 403 403 403 401"),
    ("appointment-type-detail", "get", "appointment-types/{visit_type}", None, "200 200 200 200 200 200 401"),
    ("appointment-type-detail", "patch", "appointment-types/{visit_type}", lambda w, u: {"color": "#112233"},
     "200 403 403 403 403 403 401"),
    ("appointment-type-detail", "delete", "appointment-types/{visit_type}", None,
     "204 403 403 403 403 403 401"),
    ("appointment-series-list", "get", "appointment-series", None, "200 200 200 200 200 200 401"),
    ("appointment-series-list", "post", "appointment-series", _series, "201 201 201 400 403 403 401"),
    ("appointment-series-detail", "get", "appointment-series/{series}", None, "200 200 200 404 200 404 401"),
    ("appointment-series-cancel", "post", "appointment-series/{series}/cancel", None,
     "200 200 200 404 403 403 401"),
    ("waitlist-list", "get", "waitlist", None, "200 200 200 200 200 200 401"),
    ("waitlist-list", "post", "waitlist", _waitlist_entry, "201 201 403 403 201 400 401"),
    ("waitlist-detail", "get", "waitlist/{entry}", None, "200 200 200 404 200 404 401"),
    ("waitlist-detail", "delete", "waitlist/{entry}", None, "204 204 403 403 204 404 401"),
    # The offer's token is the credential: anyone holding it answers, signed in or not.
    ("waitlist-offer-accept", "post", "waitlist/offers/{offer_token}/accept", None,
     "201 201 201 201 201 201 201"),
    ("waitlist-offer-decline", "post", "waitlist/offers/{offer_token}/decline", None,
     "204 204 204 204 204 204 204"),
    ("room-list", "get", "rooms", None, "200 200 200 200 403 403 401"),
    ("room-list", "post", "rooms", lambda w, u: {"name": "Room 9"}, "201 403 403 403 403 403 401"),
    ("room-detail", "get", "rooms/{room}", None, "200 200 200 200 403 403 401"),
    ("room-detail", "patch", "rooms/{room}", lambda w, u: {"name": "Room 10"}, "200 403 403 403 403 403 401"),
    ("room-detail", "delete", "rooms/{room}", None, "204 403 403 403 403 403 401"),
]
# fmt: on

# Cross-owner reads through list filters and nested routes: never the record.
CROSS_OWNER_LISTS = [
    ("appointments?client={client}", ("other_doctor", "other_patient")),
    ("appointments?doctor={doctor}", ("other_doctor", "other_patient")),
    ("clients?assigned_doctor={doctor}", ("other_doctor", "other_patient")),
    ("clients?search={client_last_name}", ("other_doctor", "other_patient")),
]


@pytest.fixture
def targets(world, settings, tmp_path):
    settings.STORAGES = {  # documents go to this test's folder, never to .data/media
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }
    document = store_document(
        client=world.client,
        uploaded_file=SimpleUploadedFile("lab.txt", b"Haemoglobin 14.1 g/dL"),
        title="Lab result",
        kind="lab_result",
        uploaded_by=world.staff,
    )
    appt = AppointmentFactory(client=world.client, doctor=world.doctor, starts_at=next_slot(days=3))
    checked_in = AppointmentFactory(
        client=world.client, doctor=world.doctor, starts_at=next_slot(days=4), status=Status.CHECKED_IN
    )
    confirmed = AppointmentFactory(
        client=world.client, doctor=world.doctor, starts_at=next_slot(days=5), status=Status.CONFIRMED
    )
    past = AppointmentFactory(
        client=world.client, doctor=world.doctor, starts_at=timezone.now() - timedelta(hours=2)
    )
    time_off = TimeOff.objects.create(
        doctor=world.doctor, starts_at=next_slot(days=50), ends_at=next_slot(days=50) + timedelta(hours=1)
    )
    record_event(actor=world.admin, action=AuditAction.VIEW, obj=world.client)
    visit_type = AppointmentType.objects.create(name="Consultation")
    room = Room.objects.create(name="Room 1")
    series = AppointmentSeries.objects.create(
        client=world.client, doctor=world.doctor, rrule="FREQ=DAILY;COUNT=1"
    )
    AppointmentFactory(client=world.client, doctor=world.doctor, starts_at=next_slot(days=6), series=series)
    entry = WaitlistEntry.objects.create(
        client=world.client,
        earliest_date=timezone.localdate(),
        latest_date=timezone.localdate() + timedelta(days=30),
    )
    freed = AppointmentFactory(client=world.other_client, doctor=world.doctor, starts_at=next_slot(days=7))
    slot = offers.slot_of(freed)
    Appointment.objects.filter(pk=freed.pk).update(status=Status.CANCELLED)
    offer = offers.offer_slot(slot)  # the freed time, held for the patient's entry
    return {
        "client": world.client.pk,
        "other_client": world.other_client.pk,
        "client_last_name": world.client.last_name,
        "doctor": world.doctor.pk,
        "patient_user": world.patient.pk,
        "appt": appt.pk,
        "appt_checked_in": checked_in.pk,
        "appt_confirmed": confirmed.pk,
        "appt_past": past.pk,
        "time_off": time_off.pk,
        "document": document.pk,
        "audit": AuditEvent.objects.latest("id").pk,
        "tomorrow": (timezone.localdate() + timedelta(days=1)).isoformat(),
        "visit_type": visit_type.pk,
        "room": room.pk,
        "series": series.pk,
        "entry": entry.pk,
        "offer_token": offer.token,
    }


def _row_id(row) -> str:
    return f"{row[1].upper()} {row[2]}"


ERROR_CODES = {400: "validation_error", 401: "not_authenticated", 403: "permission_denied", 404: "not_found"}


def _snapshot() -> tuple:
    """What a refused write must leave as it was."""
    from accounts.models import User
    from clinic.models import Client, Document
    from scheduling.models import Appointment, WorkingHours

    return (
        list(Client.objects.order_by("id").values_list("id", "updated_at", "is_archived")),
        list(Appointment.objects.order_by("id").values_list("id", "updated_at", "status")),
        list(User.objects.order_by("id").values_list("id", "is_active", "full_name", "password")),
        list(TimeOff.objects.order_by("id").values_list("id")),
        WorkingHours.objects.count(),
        list(Document.objects.order_by("id").values_list("id", "is_archived")),
        list(AppointmentType.objects.order_by("id").values_list("id", "name", "color", "active")),
        list(Room.objects.order_by("id").values_list("id", "name", "active")),
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("row", TABLE, ids=_row_id)
def test_role_matrix(api, world, targets, row, role):
    _name, method, path, body, spec = row
    user = world.user(role)
    client = api(user)
    url = "/api/v1/" + path.format(**targets)
    payload = body(world, user) if body else None
    before = _snapshot()
    if payload is None:
        response = getattr(client, method)(url)
    else:
        encoding = "multipart" if isinstance(payload, Multipart) else "json"
        response = getattr(client, method)(url, payload, format=encoding)
    expected = _statuses(spec)[role]
    assert response.status_code == expected, (role, url, response.content[:300])
    assert "no-store" in response["Cache-Control"]  # every answer may carry PHI
    if expected >= 400:
        assert response.json()["code"] == ERROR_CODES[expected]
        assert str(world.client.first_name) not in response.content.decode()
        if "auth/" not in path:  # a refused call changes nothing
            assert _snapshot() == before


# What a user who must have a second factor, and has none, still reaches.
ENROLMENT_ROUTES = {"auth-logout", "auth-me", "auth-password-change"} | {
    row[0] for row in TABLE if row[0].startswith(("auth-mfa", "auth-passkey"))
}


@pytest.mark.parametrize("role", ["admin", "staff", "doctor"])
@pytest.mark.parametrize("row", TABLE, ids=_row_id)
def test_a_role_that_must_have_a_second_factor_reaches_only_enrolment_without_one(
    api, world, targets, settings, row, role
):
    """MFA_REQUIRED_ROLES: every signed-in route but enrolment's is 403
    `mfa_enrollment_required`; public routes answer as they do for anyone."""
    settings.MFA_REQUIRED_ROLES = ["admin", "doctor", "staff"]
    name, method, path, body, spec = row
    user = world.user(role)
    payload = body(world, user) if body else None
    encoding = "multipart" if isinstance(payload, Multipart) else "json"
    url = "/api/v1/" + path.format(**targets)
    response = getattr(api(user), method)(url, payload, format=encoding)
    public = _statuses(spec)["anonymous"] != 401
    if public or name in ENROLMENT_ROUTES:
        assert response.status_code == _statuses(spec)[role], (role, url)
    else:
        assert (response.status_code, response.json()["code"]) == (403, "mfa_enrollment_required"), url


@pytest.mark.parametrize("path,roles", CROSS_OWNER_LISTS)
def test_cross_owner_list_filters_never_show_the_record(api, world, targets, path, roles):
    for role in roles:
        response = api(world.user(role)).get("/api/v1/" + path.format(**targets))
        assert response.status_code == 200
        ids = {row.get("client", row.get("id")) for row in response.json()["results"]}
        assert world.client.pk not in ids, (role, path)
        assert targets["appt"] not in {row["id"] for row in response.json()["results"]}


def _api_routes():
    """(route name, method) for every view under /api/v1/ the URLconf has."""

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and prefix.startswith("api/v1/"):
                yield pattern

    for pattern in walk(get_resolver().url_patterns, ""):
        view = pattern.callback
        cls = view.cls
        allowed = set(cls.http_method_names) - {"head", "options"}
        actions = getattr(view, "actions", None)
        methods = set(actions) if actions else {m for m in allowed if hasattr(cls, m)}
        for method in sorted(methods & allowed):
            yield pattern.name, method


def test_every_api_route_is_in_the_table():
    routes = set(_api_routes())
    assert len(routes) > 30
    covered = {(row[0], row[1]) for row in TABLE}
    assert routes - covered == set(), "routes missing from the role matrix"
    assert covered - routes == set(), "rows naming routes that do not exist"
