"""OpenAPI: the bearer scheme as OAuth2's password flow, so Swagger UI's
"Authorize" signs in through /api/v1/auth/login."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


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
