"""The schema says exactly what the server takes: every writable boolean is a
JSON boolean, id filters are integers in PostgreSQL's range, working hours
are `HH:MM`, availability's `date`/`duration` have their bounds, a login
names a username or an email."""

import importlib

import jsonschema
import pytest
from django.conf import settings
from rest_framework import serializers

from config.fields import ID_SCHEMA, StrictBooleanField, StrictTextMixin

ID_FILTERS = {"client", "doctor", "assigned_doctor", "actor", "object_id"}
PROJECT_APPS = ("accounts", "clinic", "scheduling", "config")


def query_parameters(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query":
                    yield f"{method.upper()} {path}", parameter


def project_serializers():
    """Every serializer class of the project, once the URLconf has imported every view."""
    importlib.import_module(settings.ROOT_URLCONF)
    found, todo = [], [serializers.BaseSerializer]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        is_base = issubclass(cls, serializers.ModelSerializer) and not hasattr(cls, "Meta")
        if (
            cls.__module__.split(".")[0] in PROJECT_APPS
            and issubclass(cls, serializers.Serializer)
            and not is_base
        ):
            found.append(cls)
    return found


def test_every_writable_boolean_takes_json_booleans_only():
    checked, lenient = 0, []
    for cls in project_serializers():
        for name, field in cls().fields.items():
            if isinstance(field, serializers.BooleanField) and not field.read_only:
                checked += 1
                if not isinstance(field, StrictBooleanField):
                    lenient.append(f"{cls.__module__}.{cls.__qualname__}.{name}")
    assert checked > 0
    assert lenient == []


def test_every_text_field_takes_json_strings_only():
    """No plain DRF CharField (nor Email/URL/IP field) in a project serializer:
    each is a config.fields strict one, declared or mapped by config.serializers."""
    checked, lenient = 0, []
    for cls in project_serializers():
        for name, field in cls().fields.items():
            if isinstance(field, serializers.CharField):
                checked += 1
                if not isinstance(field, StrictTextMixin):
                    lenient.append(f"{cls.__module__}.{cls.__qualname__}.{name}")
    assert checked > 0
    assert lenient == []


def test_id_filters_are_integers_in_postgresql_range(schema):
    found = {}
    for operation, parameter in query_parameters(schema):
        if parameter["name"] in ID_FILTERS:
            found[operation, parameter["name"]] = parameter["schema"]
    assert {name for _, name in found} == ID_FILTERS
    assert all(value == ID_SCHEMA for value in found.values()), found
    assert ID_SCHEMA == {"type": "integer", "minimum": 1, "maximum": 2147483647}


def test_query_booleans_are_typed_boolean(schema):
    booleans = [(op, p["schema"]) for op, p in query_parameters(schema) if p["name"] == "is_active"]
    assert booleans == [("GET /api/v1/users/", {"type": "boolean"})]


def test_audit_object_type_is_never_empty(schema):
    parameters = {
        p["name"]: p["schema"] for p in schema["paths"]["/api/v1/audit-events/"]["get"]["parameters"]
    }
    assert parameters["object_type"] == {"type": "string", "minLength": 1}
    assert parameters["object_id"] == ID_SCHEMA


def test_working_hours_are_wall_clock_strings(schema):
    properties = schema["components"]["schemas"]["WorkingHours"]["properties"]
    for name in ("start", "end"):
        assert properties[name]["type"] == "string"
        assert properties[name]["pattern"] == r"^([01]\d|2[0-3]):[0-5]\d$"
        assert "format" not in properties[name]


def test_availability_parameters_have_their_bounds(schema):
    operation = schema["paths"]["/api/v1/doctors/{doctor_id}/availability/"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert parameters["date"]["required"] is True
    assert parameters["date"]["schema"] == {"type": "string", "format": "date"}
    assert parameters["duration"]["schema"] == {
        "type": "integer",
        "minimum": 5,
        "maximum": 480,
        "default": 30,
    }


@pytest.mark.parametrize(
    ("body", "valid"),
    [
        ({"username": "ann", "password": "x"}, True),
        ({"email": "ann@example.test", "password": "x"}, True),
        ({"username": "", "email": "ann@example.test", "password": "x"}, True),
        ({"password": "x"}, False),
        ({"username": "", "password": "x"}, False),
        ({"email": "  ", "password": "x"}, False),
    ],
)
def test_login_request_needs_a_username_or_an_email(schema, body, valid):
    login_request = schema["components"]["schemas"]["LoginRequest"]
    assert jsonschema.Draft4Validator(login_request).is_valid(body) is valid
