"""The schema as generated clients (openapi-typescript, openapi-fetch) and
Swagger's "Try it out" need it: integer ids, required response fields, one
role enum, typed unions, a server, tags by resource, and per operation only
the error codes it can give."""

import pytest
from drf_spectacular.validation import validate_schema

from accounts.tests.factories import PASSWORD
from config.openapi import ERRORS, operation_key

METHODS = ("get", "post", "put", "patch", "delete")
APPOINTMENTS = "/api/v1/appointments/"


def _operations(schema):
    for path, item in schema["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def _component(schema, name: str) -> dict:
    return schema["components"]["schemas"][name]


def _codes(operation: dict, status: str) -> list[str]:
    narrowed = operation["responses"][status]["content"]["application/json"]["schema"]["allOf"][1]
    return narrowed["properties"]["code"]["enum"]


def test_schema_is_valid_openapi_3(schema):
    validate_schema(schema)  # drf-spectacular's own check against the OpenAPI 3.0 JSON schema


def test_ids_in_paths_are_integers(schema):
    availability = schema["paths"]["/api/v1/doctors/{doctor_id}/availability/"]["get"]
    doctor_id = next(p for p in availability["parameters"] if p["name"] == "doctor_id")
    assert doctor_id == {"in": "path", "name": "doctor_id", "schema": {"type": "integer"}, "required": True}
    path_parameters = [
        (path, parameter["name"], parameter["schema"])
        for path, _method, operation in _operations(schema)
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "path"
    ]
    assert {name for _path, name, _schema in path_parameters} == {
        "id",
        "client_id",
        "doc_id",
        "doctor_id",
        "time_off_id",
        "passkey_id",
        "token",  # a waitlist offer's token: the credential, not an id
    }
    assert [p for p in path_parameters if p[2] != {"type": "integer"} and p[1] != "token"] == []


@pytest.mark.parametrize(
    "component,field",
    [
        ("Doctor", "full_name"),
        ("Client", "phone"),
        ("Client", "email"),
        ("Reminder", "status"),
        ("Reminder", "sent_at"),
        ("TimeOff", "reason"),
        ("User", "full_name"),
        ("OwnProfile", "client"),
        ("PaginatedAppointmentList", "next"),
    ],
)
def test_fields_every_answer_carries_are_required(schema, component, field):
    assert field in _component(schema, component)["required"]


def test_every_success_component_requires_all_its_fields(schema):
    for name in ("Appointment", "AuditEvent", "Client", "Document", "OwnProfile", "Registered", "User"):
        component = _component(schema, name)
        assert sorted(component["required"]) == sorted(component["properties"]), name


def test_request_components_keep_optional_fields_optional(schema):
    assert _component(schema, "ClientRequest")["required"] == ["first_name", "last_name"]
    assert "required" not in _component(schema, "PatchedClientRequest")


def test_own_profile_names_the_client_record_and_the_role_enum(schema):
    profile = _component(schema, "OwnProfile")
    assert profile["properties"]["role"]["allOf"] == [{"$ref": "#/components/schemas/RoleEnum"}]
    assert _component(schema, "User")["properties"]["role"] == {"$ref": "#/components/schemas/RoleEnum"}
    assert profile["properties"]["client"]["type"] == "integer"
    assert profile["properties"]["client"]["nullable"] is True
    me = schema["paths"]["/api/v1/auth/me/"]["get"]["responses"]["200"]["content"]["application/json"]
    assert me["schema"] == {"$ref": "#/components/schemas/OwnProfile"}
    assert _component(schema, "Registered")["properties"]["user"] == {
        "$ref": "#/components/schemas/OwnProfile"
    }


def test_reminder_kind_is_described(schema):
    kind = _component(schema, "Reminder")["properties"]["kind"]
    assert kind["type"] == "string" and "1440m" in kind["description"]


def test_nullable_email_has_a_type(schema):
    email = _component(schema, "Client")["properties"]["email"]
    assert email == {
        "type": "string",
        "nullable": True,
        "maxLength": 254,
        "description": "A value of format `email`, or empty.",
    }


def test_schema_names_a_relative_server(schema):
    assert schema["servers"] == [{"url": "/"}]


def test_operations_are_tagged_by_resource(schema):
    tags = {path: operation["tags"] for path, _method, operation in _operations(schema)}
    assert all(len(t) == 1 and t != ["v1"] for t in tags.values())
    assert tags["/api/v1/auth/me/"] == ["auth"]
    assert tags["/api/v1/clients/{client_id}/documents/"] == ["documents"]
    assert tags["/api/v1/appointments/calendar.ics/"] == ["calendar"]
    assert tags["/api/v1/audit-events/"] == ["audit"]
    assert {t["name"] for t in schema["tags"]} == {t[0] for t in tags.values()}


def test_no_implementation_notes_reach_the_schema(schema):
    texts = [operation.get("description", "") for _path, _method, operation in _operations(schema)]
    texts += [component.get("description", "") for component in schema["components"]["schemas"].values()]
    for note in ("cached", "Serializer", "JSON it was stored", "the view's business", "clinic.permissions"):
        assert not [text for text in texts if note in text], note


def test_error_table_names_exactly_the_schemas_operations(schema):
    keys = {operation_key(method, path) for path, method, _operation in _operations(schema)}
    assert set(ERRORS) == keys


def test_every_error_answer_lists_its_codes(schema):
    for path, method, operation in _operations(schema):
        for status in operation["responses"]:
            if status >= "400":
                assert _codes(operation, status), (method, path, status)


ENROLMENT = "mfa_enrollment_required"


def test_error_codes_are_per_operation(schema):
    appointments = schema["paths"][APPOINTMENTS]
    assert _codes(appointments["get"], "401") == ["not_authenticated", "token_not_valid"]
    # Only a user who must set up a second factor and has none is refused a list.
    assert _codes(appointments["get"], "403") == ["mfa_enrollment_required"]
    assert _codes(appointments["post"], "409") == [
        "slot_taken", "client_busy", "room_taken", "idempotency_conflict",
    ]  # fmt: skip
    assert _codes(appointments["post"], "400") == [
        "validation_error", "outside_working_hours", "room_required", "type_not_bookable",
        "too_short_notice", "too_far_ahead",
    ]  # fmt: skip
    register = schema["paths"]["/api/v1/auth/register/"]["post"]
    assert _codes(register, "403") == ["registration_closed"]
    assert _codes(register, "429") == ["throttled"]
    login = schema["paths"]["/api/v1/auth/login/"]["post"]
    assert _codes(login, "401") == ["token_not_valid", "invalid_credentials"]
    assert "404" not in login["responses"]
    confirm = schema["paths"]["/api/v1/auth/password/reset/confirm/"]["post"]
    assert _codes(confirm, "400") == ["validation_error", "invalid_token"]
    upload = schema["paths"]["/api/v1/clients/{client_id}/documents/"]["post"]
    assert _codes(upload, "413") == ["file_too_large"]
    for path, method, operation in _operations(schema):
        if path != "/api/v1/auth/register/" and "403" in operation["responses"]:
            enrolment = [] if path.startswith(("/api/v1/auth/me/", "/api/v1/auth/mfa")) else [ENROLMENT]
            assert set(_codes(operation, "403")) <= {"permission_denied", *enrolment}, (method, path)
            assert ENROLMENT in _codes(operation, "403") or enrolment == [], (method, path)
        if "401" in operation["responses"] and path != "/api/v1/auth/login/":
            assert "invalid_credentials" not in _codes(operation, "401"), (method, path)
        assert _codes(operation, "503") == ["service_unavailable"]


def _answered(schema, path: str, method: str, response) -> None:
    """The answer's status is documented for the operation, with its code."""
    operation = schema["paths"][path][method]
    status = str(response.status_code)
    assert status in operation["responses"], (method, path, status)
    assert response.json()["code"] in _codes(operation, status), (method, path, response.json())


@pytest.mark.django_db
def test_real_error_answers_carry_a_documented_code(api, world, schema, settings):
    bad_login = api().post("/api/v1/auth/login", {"username": world.patient.username, "password": "nope"})
    _answered(schema, "/api/v1/auth/login/", "post", bad_login)
    forged = api()
    forged.credentials(HTTP_AUTHORIZATION="Bearer forged")
    _answered(
        schema, "/api/v1/auth/login/", "post", forged.post("/api/v1/auth/login", {"password": PASSWORD})
    )
    _answered(schema, APPOINTMENTS, "get", api().get(APPOINTMENTS))
    booking = {"client": world.client.pk, "doctor": world.doctor.pk, "starts_at": "2999-01-01T10:00:00Z"}
    _answered(schema, APPOINTMENTS, "post", api(world.doctor).post(APPOINTMENTS, booking))
    reminders = "/api/v1/appointments/{id}/reminders/"
    _answered(schema, reminders, "get", api(world.patient).get("/api/v1/appointments/1/reminders"))
    _answered(
        schema,
        "/api/v1/clients/{id}/",
        "get",
        api(world.other_patient).get(f"/api/v1/clients/{world.client.pk}"),
    )
    settings.ALLOW_REGISTRATION = False
    closed = api().post("/api/v1/auth/register", {"email": "x@x.test", "username": "x", "password": PASSWORD})
    assert closed.status_code == 403
    _answered(schema, "/api/v1/auth/register/", "post", closed)
