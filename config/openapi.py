"""The schema's error answers: every operation documents the error statuses
it can give, each with the contract's body `{"detail", "code"}` (+ `errors`
on 400) and the codes it may carry (API.md, "Errors"). A drf-spectacular
postprocessing hook, so views only annotate what is particular to them."""

ERROR_SCHEMA = {
    "type": "object",
    "required": ["detail", "code"],
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {}},
            "description": "400 only: messages by field",
        },
        "error_id": {"type": "string"},
    },
}

CODES = {
    "400": "`validation_error`, `outside_working_hours`, `invalid_token`",
    "401": "`not_authenticated`, `token_not_valid`, `invalid_credentials`",
    "403": "`permission_denied`, `registration_closed`",
    "404": "`not_found`: no such record, or not yours",
    "405": "`method_not_allowed`",
    "409": "`slot_taken`, `client_busy`, `invalid_transition`, `idempotency_conflict`",
    "415": "`unsupported_media_type`",
    "429": "`throttled` (with `Retry-After`)",
    "503": "`service_unavailable`: the database is unreachable; retry (with `Retry-After`)",
}

PUBLIC_RATE_LIMITED = ("/api/v1/auth/login", "/api/v1/auth/register", "/api/v1/auth/refresh",
                       "/api/v1/auth/password/reset")  # fmt: skip
WRITES = {"post", "put", "patch", "delete"}


def _statuses(path: str, method: str, operation: dict) -> list[str]:
    statuses = ["401", "403", "503"]
    has_path_params = "{" in path
    if operation.get("parameters") or operation.get("requestBody") or method in WRITES:
        statuses.append("400")
    if operation.get("requestBody"):
        statuses.append("415")
    if has_path_params or path.startswith("/api/v1/appointments/calendar"):
        statuses.append("404")
    if path.startswith("/api/v1/appointments") and method in WRITES:
        statuses.append("409")
    if path.startswith(PUBLIC_RATE_LIMITED):
        statuses.append("429")
    return statuses


def document_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, item in result.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for status in _statuses(path, method, operation):
                response = responses.setdefault(status, {"description": CODES[status]})
                response.setdefault("content", content)
    return result
