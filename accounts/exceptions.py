"""Accounts' domain errors: the API's exception handler turns each into
`{"detail", "code"}` with its status."""

from django.utils.translation import gettext_lazy as _

from config.exceptions import DomainError


class InvalidCredentials(DomainError):
    status_code = 401
    default_detail = _("Unable to sign in with these credentials.")
    default_code = "invalid_credentials"


class RegistrationClosed(DomainError):
    status_code = 403
    default_detail = _("Registration is closed.")
    default_code = "registration_closed"


class InvalidResetToken(DomainError):
    status_code = 400
    default_detail = _("This password reset link is invalid or has expired.")
    default_code = "invalid_token"


class InvalidMfaCode(DomainError):
    """A wrong authenticator or recovery code: 400 while managing the second
    factor, 401 when signing in (`status_code=401`)."""

    status_code = 400
    default_detail = _("This code is not valid.")
    default_code = "invalid_mfa_code"

    def __init__(self, detail=None, *, status_code: int = 400):
        super().__init__(detail)
        self.status_code = status_code


class InvalidPassword(DomainError):
    status_code = 400
    default_detail = _("The password is not correct.")
    default_code = "invalid_password"


class MfaAlreadyEnabled(DomainError):
    status_code = 409
    default_detail = _("An authenticator app is already set up; remove it first.")
    default_code = "mfa_already_enabled"


class MfaTokenExpired(DomainError):
    status_code = 401
    default_detail = _("This sign-in has expired or was already completed; sign in again.")
    default_code = "mfa_token_expired"


class MfaEnrollmentRequired(DomainError):
    status_code = 403
    default_detail = _("Set up a second factor (auth/mfa) before using the rest of the API.")
    default_code = "mfa_enrollment_required"


class InvalidPasskey(DomainError):
    status_code = 400
    default_detail = _("The passkey could not be verified.")
    default_code = "invalid_passkey"
