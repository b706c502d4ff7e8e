from rest_framework import status
from rest_framework.exceptions import APIException


class InvalidCredentials(APIException):
    status_code = status.HTTP_401_UNAUTHORIZED
    default_detail = "Unable to sign in with these credentials."
    default_code = "invalid_credentials"


class RegistrationClosed(APIException):
    status_code = status.HTTP_403_FORBIDDEN
    default_detail = "Registration is closed."
    default_code = "registration_closed"


class InvalidResetToken(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "This password reset link is invalid or has expired."
    default_code = "invalid_token"
