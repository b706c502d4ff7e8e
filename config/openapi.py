"""The schema as generated clients need it: drf-spectacular postprocessing
hooks, so views only annotate what is particular to them.

- ids in paths are integers (a `\\d+` URL pattern is generated as a string);
- a response field the server always sends is `required` (nullable or not);
- operations are tagged by resource;
- every operation documents the error statuses it can answer, each with the
  contract's body `{"detail", "code"}` (+ `errors` on 400) and, as an enum,
  the codes that operation can really give there (API.md, "Errors")."""

API_PREFIX = "/api/v1/"
METHODS = ("get", "post", "put", "patch", "delete")
DIGITS_PATTERN = "^\\d+$"

ERROR_SCHEMA = {
    "type": "object",
    "required": ["detail", "code"],
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {}},
            "description": "400 `validation_error` only: messages by field",
        },
        "error_id": {"type": "string"},
    },
}

DESCRIPTIONS = {
    "400": "Invalid input",
    "401": "Credentials missing or refused",
    "403": "Not allowed",
    "404": "No such record, or not yours",
    "406": "No acceptable representation",
    "409": "Conflict with the record's current state",
    "410": "Gone: no longer answerable",
    "413": "Too large",
    "415": "Unsupported body type",
    "429": "Too many attempts; retry after `Retry-After` seconds",
    "503": "The database is unreachable; retry after `Retry-After` seconds",
}

SIGNED_IN = ["not_authenticated", "token_not_valid"]
DENIED = {"403": ["permission_denied"]}
THROTTLED = {"429": ["throttled"]}
BOOKING_CONFLICTS = ["slot_taken", "client_busy", "room_taken"]
MFA_OWNER_PROOF = ["invalid_password", "invalid_mfa_code"]
REPORT_RANGE = ["invalid_range", "range_too_long"]
STATUS_ACTION = {**DENIED, "409": ["invalid_transition", "idempotency_conflict"]}

# What each operation can answer beyond what its shape implies (see
# `_implied_errors`): 403s, 409s, rate limits and the domain's own codes.
# A test checks that this table names exactly the schema's operations.
ERRORS = {
    "POST auth/register": {"403": ["registration_closed"], **THROTTLED},
    "POST auth/login": {"401": ["invalid_credentials"], **THROTTLED},
    "POST auth/refresh": THROTTLED,
    "POST auth/logout": {},
    "GET auth/me": {},
    "POST auth/password/change": THROTTLED,
    "POST auth/password/reset": THROTTLED,
    "POST auth/password/reset/confirm": {"400": ["invalid_token"], **THROTTLED},
    "GET auth/mfa": {},
    "POST auth/mfa/totp": {"409": ["mfa_already_enabled"]},
    "DELETE auth/mfa/totp": {"400": MFA_OWNER_PROOF, **THROTTLED},
    "POST auth/mfa/totp/confirm": {"400": ["invalid_mfa_code"], "409": ["mfa_already_enabled"], **THROTTLED},
    "POST auth/mfa/recovery-codes": {"400": MFA_OWNER_PROOF, **THROTTLED},
    "POST auth/mfa/verify": {"401": ["invalid_mfa_code", "mfa_token_expired"], **THROTTLED},
    "POST auth/mfa/passkey-options": {"401": ["mfa_token_expired"], **THROTTLED},
    "POST auth/passkeys/options": {},
    "GET auth/passkeys": {},
    "POST auth/passkeys": {"400": ["invalid_passkey"]},
    "DELETE auth/passkeys/{passkey_id}": {},
    "GET users": DENIED,
    "POST users": DENIED,
    "GET users/me": {},
    "PATCH users/me": {},
    "GET users/{id}": DENIED,
    "PATCH users/{id}": DENIED,
    "DELETE users/{id}": {**DENIED, "400": ["validation_error"]},  # deactivating yourself
    "GET doctors": {},
    "GET audit-events": DENIED,
    "GET audit-events/{id}": DENIED,
    "GET clients": {},
    "POST clients": DENIED,
    "GET clients/{id}": {},
    "PATCH clients/{id}": DENIED,
    "DELETE clients/{id}": DENIED,
    "POST clients/{id}/emergency-access": DENIED,
    "GET clients/{id}/export.json": {"406": ["not_acceptable"]},
    "GET clients/{id}/export.pdf": {"406": ["not_acceptable"]},
    "GET clients/{client_id}/documents": {},
    "POST clients/{client_id}/documents": {"400": ["unsupported_file_type"], "413": ["file_too_large"]},
    "GET clients/{client_id}/documents/{doc_id}": {},
    "DELETE clients/{client_id}/documents/{doc_id}": DENIED,
    "GET clients/{client_id}/documents/{doc_id}/download": {},
    "GET doctors/{doctor_id}/availability": {"400": ["type_not_bookable"]},
    "GET doctors/{doctor_id}/working-hours": DENIED,
    "PUT doctors/{doctor_id}/working-hours": DENIED,
    "GET doctors/{doctor_id}/time-off": DENIED,
    "POST doctors/{doctor_id}/time-off": DENIED,
    "DELETE doctors/{doctor_id}/time-off/{time_off_id}": DENIED,
    "GET appointments": {},
    "POST appointments": {
        **DENIED,
        "400": [
            "outside_working_hours",
            "room_required",
            "type_not_bookable",
            "too_short_notice",
            "too_far_ahead",
        ],
        "409": [*BOOKING_CONFLICTS, "idempotency_conflict"],
    },
    "GET appointments/{id}": {},
    "PATCH appointments/{id}": {
        **DENIED,
        "400": ["outside_working_hours", "room_required"],
        "409": [*BOOKING_CONFLICTS, "invalid_transition"],
    },
    "DELETE appointments/{id}": DENIED,
    # With an `Idempotency-Key` the body is read, so its media type matters.
    "POST appointments/{id}/cancel": {
        "409": ["invalid_transition", "idempotency_conflict"],
        "415": ["unsupported_media_type"],
    },
    "POST appointments/{id}/confirm": {**STATUS_ACTION, "415": ["unsupported_media_type"]},
    "POST appointments/{id}/check-in": {**STATUS_ACTION, "415": ["unsupported_media_type"]},
    "POST appointments/{id}/complete": {**STATUS_ACTION, "415": ["unsupported_media_type"]},
    "POST appointments/{id}/no-show": {**STATUS_ACTION, "415": ["unsupported_media_type"]},
    "GET appointments/{id}/reminders": DENIED,
    "GET appointments/calendar.ics": {"404": ["not_found"], "406": ["not_acceptable"]},
    "GET calendar/feed": {},
    "POST calendar/feed/rotate": {},
    "GET reports/utilization": {**DENIED, "400": REPORT_RANGE},
    "GET reports/utilization.csv": {**DENIED, "400": REPORT_RANGE, "406": ["not_acceptable"]},
    "GET appointment-types": {},
    "POST appointment-types": DENIED,
    "GET appointment-types/{id}": {},
    "PATCH appointment-types/{id}": DENIED,
    "DELETE appointment-types/{id}": DENIED,
    "GET appointment-series": {},
    "POST appointment-series": {
        **DENIED,
        "400": ["invalid_rrule", "room_required"],
        "409": ["series_conflict", "idempotency_conflict"],
    },
    "GET appointment-series/{id}": {},
    "POST appointment-series/{id}/cancel": DENIED,
    "GET waitlist": {},
    "POST waitlist": {**DENIED, "400": ["type_not_bookable"]},
    "GET waitlist/{id}": {},
    "DELETE waitlist/{id}": DENIED,
    "POST waitlist/offers/{token}/accept": {"410": ["offer_expired"], **THROTTLED},
    "POST waitlist/offers/{token}/decline": {"410": ["offer_expired"], **THROTTLED},
    "GET rooms": DENIED,
    "POST rooms": DENIED,
    "GET rooms/{id}": DENIED,
    "PATCH rooms/{id}": DENIED,
    "DELETE rooms/{id}": DENIED,
}

TAGS = {
    "auth": "auth",
    "users": "users",
    "doctors": "doctors",
    "audit-events": "audit",
    "clients": "clients",
    "appointments": "appointments",
    "appointment-types": "appointments",  # what a booking names: its type and room
    "rooms": "appointments",
    "appointment-series": "appointments",
    "waitlist": "appointments",  # a wish for a visit, and the offers of freed ones
    "calendar": "calendar",
    "reports": "reports",
}


def operation_key(method: str, path: str) -> str:
    """`GET clients/{id}`: how ERRORS and API.md name an operation."""
    return f"{method.upper()} {path.removeprefix(API_PREFIX).strip('/')}"


def _operations(result):
    for path, item in result.get("paths", {}).items():
        if path.startswith(API_PREFIX):
            for method in METHODS:
                if method in item:
                    yield path, method, item[method]


def signed_in_operations(result):
    """(path, method, operation) of each operation that takes a bearer token only."""
    for path, method, operation in _operations(result):
        if not _is_public(operation):
            yield path, method, operation


def _tag(path: str) -> str:
    segments = path.removeprefix(API_PREFIX).strip("/").split("/")
    if "documents" in segments:
        return "documents"
    if segments[:2] == ["appointments", "calendar.ics"]:
        return "calendar"
    return TAGS[segments[0]]


def _is_public(operation: dict) -> bool:
    return {} in operation.get("security", [{}])


def _implied_errors(operation: dict) -> dict[str, list[str]]:
    """What the operation's shape says it can answer: 401 (a bad token is
    refused even where none is needed), 400 for a body or query parameters,
    415 for a body, 404 for ids in the path, 503 whenever the database is down."""
    parameters = operation.get("parameters", [])
    has_body = "requestBody" in operation
    errors = {"401": ["token_not_valid"] if _is_public(operation) else list(SIGNED_IN)}
    if has_body or any(p["in"] != "path" for p in parameters):
        errors["400"] = ["validation_error"]
    if any(p["in"] == "path" for p in parameters):
        errors["404"] = ["not_found"]
    if has_body:
        errors["415"] = ["unsupported_media_type"]
    errors["503"] = ["service_unavailable"]
    return errors


def error_codes(path: str, method: str, operation: dict) -> dict[str, list[str]]:
    """Status -> the codes this operation can answer with it."""
    errors = _implied_errors(operation)
    for status, codes in ERRORS.get(operation_key(method, path), {}).items():
        errors[status] = list(dict.fromkeys([*errors.get(status, []), *codes]))
    return dict(sorted(errors.items()))


def error_content(codes: list[str]) -> dict:
    narrowed = {
        "type": "object",
        "required": ["code"],
        "properties": {"code": {"type": "string", "enum": codes}},
    }
    return {"application/json": {"schema": {"allOf": [{"$ref": "#/components/schemas/Error"}, narrowed]}}}


def document_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path, method, operation in _operations(result):
        responses = operation.setdefault("responses", {})
        for status, codes in error_codes(path, method, operation).items():
            response = responses.setdefault(status, {})
            listed = ", ".join(f"`{code}`" for code in codes)
            response["description"] = f"{DESCRIPTIONS[status]}: {listed}"
            response["content"] = error_content(codes)
        operation["responses"] = dict(sorted(responses.items()))
    return result


def shape_for_clients(result, generator, request, public):
    """Integer ids in paths, tags by resource, required response fields, typed unions."""
    for path, _method, operation in _operations(result):
        operation["tags"] = [_tag(path)]
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path" and parameter["schema"].get("pattern") == DIGITS_PATTERN:
                parameter["schema"] = {"type": "integer"}
    schemas = result.get("components", {}).get("schemas", {})
    for name in _response_components(result, schemas):
        component = schemas[name]
        if "properties" in component:
            component["required"] = list(component["properties"])
    for component in schemas.values():
        for name, field in component.get("properties", {}).items():
            component["properties"][name] = _typed_union(field)
    return result


def _response_components(result, schemas: dict) -> set[str]:
    """Components a success answer holds, directly or nested: every field the
    serializers declare is always sent (null where nullable)."""
    pending = [
        ref
        for _path, _method, operation in _operations(result)
        for status, response in operation.get("responses", {}).items()
        if status.startswith("2")
        for ref in _refs(response.get("content", {}))
    ]
    seen = set()
    while pending:
        name = pending.pop()
        if name not in seen:
            seen.add(name)
            pending.extend(_refs(schemas[name]))
    return seen


def _refs(node) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"].rsplit("/", 1)[1]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def _typed_union(field: dict) -> dict:
    """drf-spectacular writes a blank-allowed, nullable EmailField as
    `{"nullable": true, "oneOf": [{string, email}, {string, maxLength 0}]}`:
    `nullable` without a `type` means nothing in OpenAPI 3.0, and generated
    clients make `unknown` of it. One typed string says the same."""
    branches = field.get("oneOf")
    if "type" in field or not branches or any("$ref" in branch for branch in branches):
        return field
    types = {branch.get("type") for branch in branches}
    if len(types) != 1 or None in types:
        return field
    merged = {"type": types.pop(), **{key: value for key, value in field.items() if key != "oneOf"}}
    lengths = [branch["maxLength"] for branch in branches if "maxLength" in branch]
    if len(lengths) == len(branches):
        merged["maxLength"] = max(lengths)
    formats = [branch["format"] for branch in branches if "format" in branch]
    if formats and any(branch.get("maxLength") == 0 for branch in branches):
        merged.setdefault("description", f"A value of format `{formats[0]}`, or empty.")
    return merged
