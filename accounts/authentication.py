"""`Authorization: Bearer <encrypted access token>` for every API view."""

import re

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import PermissionDenied
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings

from accounts import mfa, tokens, user_cache
from accounts.exceptions import MfaEnrollmentRequired
from config import languages, replicas

# What a user who must set up a second factor, and has none, can reach.
ENROLMENT_ROUTES = re.compile(r"^/api/v1/auth/(me|mfa|passkeys|password/change|logout)(/|$)")


class EncryptedJWTAuthentication(JWTAuthentication):
    """SimpleJWT's authentication with the token decrypted first, then the
    Redis deny-list (logout), the user (cached), whether they are active and
    whether the token predates their last revocation. Every failure is 401
    `token_not_valid`; 401s carry `WWW-Authenticate: Bearer`. Once the caller
    is known, a request without `Accept-Language` is answered in their own
    `language` (config/languages.py)."""

    www_authenticate_realm = "api"

    def authenticate(self, request):
        found = super().authenticate(request)
        if found:
            languages.follow_caller(request, found[0])
        if found and mfa.enrollment_pending(found[0]) and not ENROLMENT_ROUTES.match(request.path):
            raise PermissionDenied(MfaEnrollmentRequired.default_detail, MfaEnrollmentRequired.default_code)
        return found

    def get_raw_token(self, header: bytes):
        try:
            return super().get_raw_token(header)
        except AuthenticationFailed as exc:  # "Bearer" with no token, or with two
            raise InvalidToken(_("Authorization header must be 'Bearer <token>'")) from exc

    def get_validated_token(self, raw_token: bytes):
        return super().get_validated_token(tokens.decrypt(raw_token))

    def get_user(self, validated_token):
        user_id = validated_token.get(api_settings.USER_ID_CLAIM)
        if not str(user_id or "").isdigit():
            raise InvalidToken(_("Token contained no recognizable user identification"))
        user_key = user_cache.user_key(user_id)
        deny_key = tokens.DENIED_JTI_KEY.format(jti=validated_token[api_settings.JTI_CLAIM])
        cached = cache.get_many([user_key, deny_key]) or {}
        if cached.get(deny_key):
            raise InvalidToken(_("Token has been revoked"))
        user = user_cache.get_user(user_id, cached.get(user_key))
        if user is None or not user.is_active:
            raise InvalidToken(_("User not found or inactive"))
        if not user.accepts_token_issued_at(tokens.issued_at(validated_token)):
            raise InvalidToken(_("Token has been revoked"))
        replicas.reader_is(user)  # read-your-writes: a user who just wrote reads from the primary
        return user
