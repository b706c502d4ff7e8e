"""Encrypted SimpleJWT tokens (DESIGN.md, "Tokens").

SimpleJWT signs and validates the JWT; every token that leaves the server is
then encrypted with `TOKEN_ENCRYPTION_KEYS` (MultiFernet: the first key
encrypts, all decrypt) and every token that comes in is decrypted first, so a
client only ever holds an opaque string.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework_simplejwt import tokens as jwt_tokens
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken
from rest_framework_simplejwt.utils import datetime_from_epoch

from config.crypto import InvalidToken as UndecryptableToken
from config.crypto import token_fernet

DENIED_JTI_KEY = "auth:denied-jti:{jti}"


class _SubSecondIssuedAt:
    """`iat` with sub-second precision, so a token issued just after a password
    change is told apart from one issued just before it."""

    def set_iat(self, claim: str = "iat", at_time: datetime | None = None) -> None:
        self.payload[claim] = (at_time or self.current_time).timestamp()


class AccessToken(_SubSecondIssuedAt, jwt_tokens.AccessToken):
    """SimpleJWT's access token, issued at sub-second precision."""


class RefreshToken(_SubSecondIssuedAt, jwt_tokens.RefreshToken):
    """A refresh token whose outstanding-token row never holds the token itself:
    the blacklist needs only the `jti`."""

    access_token_class = AccessToken

    @classmethod
    def for_user(cls, user):
        token = super(jwt_tokens.BlacklistMixin, cls).for_user(user)
        OutstandingToken.objects.create(user=user, **token._outstanding_fields())
        return token

    def outstand(self):
        return OutstandingToken.objects.get_or_create(
            jti=self[api_settings.JTI_CLAIM],
            defaults={"user_id": self.get(api_settings.USER_ID_CLAIM), **self._outstanding_fields()},
        )

    def blacklist(self):
        outstanding, _ = self.outstand()
        return jwt_tokens.BlacklistedToken.objects.get_or_create(token=outstanding)

    def _outstanding_fields(self) -> dict:
        return {
            "jti": self[api_settings.JTI_CLAIM],
            "token": "",
            "created_at": self.current_time,
            "expires_at": datetime_from_epoch(self["exp"]),
        }


class _UncheckedRefreshToken(RefreshToken):
    """A refresh token read without its blacklist check, for rotation alone."""

    def check_blacklist(self) -> None:
        """Rotation checks the blacklist itself, under a row lock."""


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str

    def as_response(self) -> dict:
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "token_type": "bearer",
            "expires_in": int(api_settings.ACCESS_TOKEN_LIFETIME.total_seconds()),
        }


def encrypt(token: jwt_tokens.Token) -> str:
    return token_fernet().encrypt(str(token).encode()).decode()


def decrypt(opaque: str | bytes) -> str:
    """The signed JWT inside an opaque token; InvalidToken (401) for anything
    not encrypted with one of our keys."""
    if isinstance(opaque, str):
        opaque = opaque.encode("utf-8", "replace")
    try:
        return token_fernet().decrypt(opaque).decode("ascii")
    except (UndecryptableToken, UnicodeDecodeError) as exc:
        raise InvalidToken(_("Token is invalid")) from exc


def read(opaque: str | bytes, token_class: type[jwt_tokens.Token]) -> jwt_tokens.Token:
    """Decrypt and validate (signature, expiry, type, blacklist) as `token_class`."""
    try:
        return token_class(decrypt(opaque))
    except TokenError as exc:
        raise InvalidToken(exc.args[0]) from exc


def read_for_rotation(opaque: str | bytes) -> RefreshToken:
    """A refresh token checked as `read` does but for the blacklist, so that
    rotation can tell a used token (a reuse) from a bad one."""
    return read(opaque, _UncheckedRefreshToken)


AMR_CLAIM = "amr"  # RFC 8176: how the user proved who they are ("pwd", "otp")


def pair_for(user, *, amr=("pwd",)) -> TokenPair:
    """A fresh access + refresh pair for `user`, both encrypted. `amr` rides
    in the refresh token, so every access token it yields (rotation too) says it."""
    refresh = RefreshToken.for_user(user)
    refresh[AMR_CLAIM] = list(amr)
    return TokenPair(access_token=encrypt(refresh.access_token), refresh_token=encrypt(refresh))


def amr_of(token: jwt_tokens.Token) -> tuple[str, ...]:
    return tuple(token.get(AMR_CLAIM) or ("pwd",))


def access_for(user) -> str:
    """An encrypted access token alone (no refresh token, so nothing to blacklist later)."""
    return encrypt(AccessToken.for_user(user))


def deny_access_token(token: jwt_tokens.Token) -> bool:
    """Refuse this access token until it expires (the Redis deny-list). False
    when Redis did not take it (the cache ignores its connection errors)."""
    ttl = int(token["exp"] - timezone.now().timestamp()) + 1
    if ttl <= 0:
        return True
    return bool(cache.set(DENIED_JTI_KEY.format(jti=token[api_settings.JTI_CLAIM]), 1, ttl))


def issued_at(token: jwt_tokens.Token) -> float:
    return float(token.get("iat", 0))
