"""Accounts' domain errors: the API's exception handler turns each into
`{"detail", "code"}` with its status."""

from config.exceptions import DomainError


class InvalidCredentials(DomainError):
    status_code = 401
    default_detail = "Unable to sign in with these credentials."
    default_code = "invalid_credentials"


class RegistrationClosed(DomainError):
    status_code = 403
    default_detail = "Registration is closed."
    default_code = "registration_closed"


class InvalidResetToken(DomainError):
    status_code = 400
    default_detail = "This password reset link is invalid or has expired."
    default_code = "invalid_token"
