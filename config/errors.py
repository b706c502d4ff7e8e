"""The API's one error format: `{"detail", "code"}`, plus `"errors"` on 400.

`api_exception_handler` shapes every exception DRF sees, including what the
services raise: Django's `ValidationError` and the apps' domain exceptions
(`config.exceptions.DomainError`, mapped here in one place). `JsonErrorMiddleware` covers what
happens outside DRF under `/api/` and `/health`: unknown paths, Django's own
404/405/500 pages, unhandled exceptions, with DEBUG on or off.
"""

import logging
import uuid

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from config.exceptions import DomainError
from config.sentry import capture

logger = logging.getLogger("config.errors")

JSON_PATH_PREFIXES = ("/api/", "/health")
CODE_BY_STATUS = {
    400: "validation_error",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "request_too_large",
    415: "unsupported_media_type",
    429: "throttled",
    500: "server_error",
    503: "service_unavailable",
}


def error_body(detail: str, code: str, **extra) -> dict:
    return {"detail": str(detail), "code": code, **extra}


# The database unreachable (restart, failover): DRF's handler leaves these
# to JsonErrorMiddleware, which answers a JSON 503 the client may retry.
DATABASE_DOWN = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = "5"


def database_down_response(exception: Exception) -> JsonResponse:
    logger.warning("database unavailable", extra={"error": type(exception).__name__})
    body = error_body(_("The service is temporarily unavailable; try again shortly."), "service_unavailable")
    response = JsonResponse(body, status=status.HTTP_503_SERVICE_UNAVAILABLE)
    response["Retry-After"] = RETRY_AFTER_SECONDS
    return response


# What a view's exception handler answers (and idempotency stores) rather than a 500.
HANDLED_ERRORS = (exceptions.APIException, DomainError, DjangoValidationError)


def _as_drf_exception(exc: Exception) -> Exception:
    if isinstance(exc, DomainError):
        drf_exception = exceptions.APIException(exc.detail, exc.default_code)
        drf_exception.status_code = exc.status_code
        return drf_exception
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied()
    return exc


def _field_errors(data) -> dict:
    """DRF's nested validation detail as `{"field": ["message", ...]}`."""
    if isinstance(data, dict):
        return {field: _messages(value) for field, value in data.items()}
    return {"non_field_errors": _messages(data)}


def _messages(value) -> list:
    if isinstance(value, list):
        return [_messages(v) if isinstance(v, dict) else str(v) for v in value]
    if isinstance(value, dict):
        return [_field_errors(value)]
    return [str(value)]


def api_exception_handler(exc, context):
    """DRF's handler, reshaped into the contract's body; unknown errors fall through to 500."""
    exc = _as_drf_exception(exc)
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body(_("Invalid input."), "validation_error", errors=_field_errors(exc.detail))
    elif isinstance(exc, exceptions.ParseError):
        response.data = error_body(exc.detail, "validation_error", errors={"body": [str(exc.detail)]})
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else _("Error.")
        code = getattr(detail, "code", None) or CODE_BY_STATUS.get(response.status_code, "error")
        if isinstance(detail, dict):  # SimpleJWT and others send a dict of their own
            code = str(detail.get("code", code))
            detail = detail.get("detail", _("Error."))
        response.data = error_body(detail, _public_code(code))
    if isinstance(exc, exceptions.Throttled) and exc.wait:
        response["Retry-After"] = str(int(exc.wait))
    return response


def _public_code(code: str) -> str:
    # DRF's generic "invalid" code for a 400 is the contract's validation_error.
    return {"invalid": "validation_error", "authentication_failed": "not_authenticated"}.get(code, code)


def server_error_response(request, exception) -> JsonResponse:
    """JSON 500 whose error id is in the log line (and is Sentry's event id when Sentry is on)."""
    error_id = capture(exception) or uuid.uuid4().hex
    logger.exception("unhandled error", extra={"error_id": error_id, "path": request.path})
    body = error_body(_("Internal server error."), "server_error", error_id=error_id)
    return JsonResponse(body, status=status.HTTP_500_INTERNAL_SERVER_ERROR)


def wants_json(request) -> bool:
    return request.path.startswith(JSON_PATH_PREFIXES)


class JsonErrorMiddleware:
    """JSON for every error under /api/ and /health, whatever produced it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if wants_json(request) and response.status_code >= 400 and not _is_json(response):
            return _json_from(response)
        return response

    def process_exception(self, request, exception):
        if not wants_json(request):
            return None
        if isinstance(exception, (Http404, PermissionDenied)):
            code = 404 if isinstance(exception, Http404) else 403
            return JsonResponse(error_body(_default_detail(code), CODE_BY_STATUS[code]), status=code)
        if isinstance(exception, DATABASE_DOWN):
            return database_down_response(exception)
        return server_error_response(request, exception)


def _is_json(response) -> bool:
    return isinstance(response, Response) or response.get("Content-Type", "").startswith("application/json")


def _default_detail(status_code: int) -> str:
    return {
        403: _("You do not have permission to perform this action."),
        404: _("Not found."),
        405: _("Method not allowed."),
        500: _("Internal server error."),
    }.get(status_code, _("Error."))


def _json_from(response) -> JsonResponse:
    code = response.status_code
    body = error_body(_default_detail(code), CODE_BY_STATUS.get(code, "error"))
    replacement = JsonResponse(body, status=code)
    for header in ("Allow", "Retry-After", "WWW-Authenticate"):
        if header in response:
            replacement[header] = response[header]
    return replacement


@csrf_exempt
def api_not_found(request):
    """Every unknown path under /api, whatever the method (a POST must not meet the CSRF check)."""
    return JsonResponse(error_body(_("Not found."), "not_found"), status=404)


def handler404(request, exception=None):
    if wants_json(request):
        return JsonResponse(error_body(_("Not found."), "not_found"), status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def handler500(request):
    if wants_json(request):
        return JsonResponse(error_body(_("Internal server error."), "server_error"), status=500)
    from django.views.defaults import server_error

    return server_error(request)
