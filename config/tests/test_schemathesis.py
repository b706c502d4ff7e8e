"""Schemathesis against the project's own OpenAPI schema, in process (the WSGI
app), every operation, as each role and anonymous, with the checks named in
CHECKS: server errors, status codes, headers, methods, and the three that hold the
schema to what the server does (response schemas, content types, negative
data rejected), plus `ignored_auth` and our own `no_auth_bypass`.

`make test` runs a quick budget (`FUZZ_EXAMPLES`, default 25 per operation
and role); `make fuzz` the deep one (1,000)."""

import os
from urllib.parse import urlsplit

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.adapter.security import effective_security_requirements
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    content_type_conformance,
    ignored_auth,
    missing_required_header,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from accounts import tokens, user_cache
from config.errors import api_not_found
from scheduling.tests.factories import AppointmentFactory

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
ROLES = ("admin", "staff", "doctor", "patient", "anonymous", "forged")
FORGED_TOKEN = "Bearer gAAAAABforged-token-that-no-key-decrypts"


def _requires_auth(case) -> bool:
    requirements = effective_security_requirements(case.operation, case.operation.schema.raw_schema)
    return bool(requirements) and {} not in requirements


def no_auth_bypass(ctx, response, case):
    """Ours, beside schemathesis's `ignored_auth` (whose probes cannot drop an
    OAuth2 header): without credentials an operation that declares auth
    never succeeds, and a forged token is a 401 on each of them (the public
    auth operations, which declare none, ignore the header)."""
    sent = response.request.headers.get("Authorization")
    try:
        route = resolve(urlsplit(response.request.url).path)
    except Resolver404:
        return None
    if route.func is api_not_found:  # a generated path no API route matches (`/clients/0.5`): 404 before auth
        return None
    if sent == FORGED_TOKEN and _requires_auth(case) and response.status_code != 401:
        raise AssertionError(f"forged token answered {response.status_code}, not 401")
    if sent is None and _requires_auth(case) and response.status_code < 400:
        raise AssertionError(f"no credentials, yet {response.status_code}: auth not enforced")
    return None


def negative_data_rejected(ctx, response, case):
    """schemathesis's `negative_data_rejection`, less one false alarm of the
    in-process transport: Werkzeug encodes an empty multipart field without
    the blank line that ends its headers, so the server never receives it and
    rightly takes the default (a real `kind=` is a 400:
    clinic/tests/test_strict_input.py)."""
    body = case.body if isinstance(case.body, dict) else {}
    if (case.media_type or "").startswith("multipart/") and "" in body.values():
        return None
    return negative_data_rejection(ctx, response, case)


# Named, not schemathesis's defaults, so none of them goes quietly. Left out:
# `positive_data_acceptance` (schema-valid but refused by a rule the schema
# cannot state: an id that does not exist, a weak password, a booking in the
# past; 400 is the contract's answer there) and the stateful checks, which
# need a stateful run.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_headers_conformance,
    response_schema_conformance,
    content_type_conformance,
    negative_data_rejected,
    missing_required_header,
    unsupported_method,
    allow_header_conformance,
    ignored_auth,
    no_auth_bypass,
]


def aim_at_the_world(case, world) -> None:
    """A schema-valid path id names a record of the world (a user, the
    patient's record, an appointment, a doctor), so the body and query reach
    validation instead of stopping at a 404 and the checks see real answers.
    A path id generated to be invalid is left as it is; time off, documents
    and audit events keep their generated ids (404)."""
    if case.meta is None or case.meta.is_negative_at(ParameterLocation.PATH) or not case.path_parameters:
        return
    path = case.operation.path
    records = {"doctor_id": world.doctor, "client_id": world.client}
    if path.startswith("/api/v1/users/"):
        records["id"] = world.other_patient
    elif path.startswith("/api/v1/clients/"):
        records["id"] = world.client
    elif path.startswith("/api/v1/appointments/"):
        records["id"] = AppointmentFactory(client=world.client, doctor=world.doctor)
    elif path.startswith("/api/v1/appointment-series/"):
        records["id"] = _series_of_one(world)
    elif path.startswith("/api/v1/waitlist/"):
        records["id"] = _waitlist_entry(world)
    case.path_parameters = {
        name: str(records[name].pk) if name in records else value
        for name, value in case.path_parameters.items()
    }


def _series_of_one(world):
    from scheduling.models import AppointmentSeries

    series = AppointmentSeries.objects.create(
        client=world.client, doctor=world.doctor, rrule="FREQ=DAILY;COUNT=1"
    )
    AppointmentFactory(client=world.client, doctor=world.doctor, series=series)
    return series


def _waitlist_entry(world):
    from django.utils import timezone

    from scheduling.waitlist.models import WaitlistEntry

    today = timezone.localdate()
    return WaitlistEntry.objects.create(client=world.client, earliest_date=today, latest_date=today)


def _load_schema():
    from config.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


schema = _load_schema()


@pytest.fixture
def keep_test_connection():
    """The WSGI app closes "old" connections around each request, which would
    end the test's transaction; Django's own test client disconnects the same."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_api_conforms_to_its_schema(case, world, keep_test_connection):
    """Each generated request is sent as every role and anonymously."""
    aim_at_the_world(case, world)
    for role in ROLES:
        user = None if role == "forged" else world.user(role)
        headers = {"Authorization": FORGED_TOKEN} if role == "forged" else {}
        if user is not None:
            headers["Authorization"] = f"Bearer {tokens.access_for(user)}"
            user_cache.remember(user)
        case.call_and_validate(headers=headers, checks=CHECKS)
