"""OpenAPI: the bearer scheme as OAuth2's password flow, so Swagger UI's
"Authorize" signs in through /api/v1/auth/login; the 403 a user who must set
up a second factor meets everywhere else."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from accounts.authentication import ENROLMENT_ROUTES
from accounts.exceptions import MfaEnrollmentRequired
from config import openapi


class EncryptedJWTScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.EncryptedJWTAuthentication"
    name = "OAuth2PasswordBearer"
    priority = 1  # before drf-spectacular's own SimpleJWT scheme

    def get_security_definition(self, auto_schema):
        return {
            "type": "oauth2",
            "description": "Sign in with email or username and password; tokens are opaque.",
            "flows": {"password": {"tokenUrl": "/api/v1/auth/login", "scopes": {}}},
        }


def document_mfa_enrollment(result, generator, request, public):
    """Every signed-in operation outside ENROLMENT_ROUTES may answer 403
    `mfa_enrollment_required` (after config.openapi.document_error_responses)."""
    code = MfaEnrollmentRequired.default_code
    for path, method, operation in openapi.signed_in_operations(result):
        if ENROLMENT_ROUTES.match(path):
            continue
        codes = [*openapi.error_codes(path, method, operation).get("403", []), code]
        response = operation["responses"].setdefault("403", {})
        response["description"] = f"{openapi.DESCRIPTIONS['403']}: " + ", ".join(f"`{c}`" for c in codes)
        response["content"] = openapi.error_content(codes)
        operation["responses"] = dict(sorted(operation["responses"].items()))
    return result
