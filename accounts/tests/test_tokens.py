"""Encrypted tokens: opaque to clients, and every bad one is a JSON 401."""

import base64
import json
from datetime import timedelta

import jwt
import pytest
from cryptography.fernet import Fernet
from django.conf import settings as django_settings
from django.utils import timezone

from accounts import tokens
from accounts.tests.factories import PASSWORD
from config.crypto import token_fernet

pytestmark = pytest.mark.django_db

ME = "/api/v1/auth/me"


def bearer(api, token: str):
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def assert_401(response, code="token_not_valid"):
    assert response.status_code == 401
    assert response.json()["code"] == code
    assert response["WWW-Authenticate"].startswith("Bearer")


def login(api, user) -> dict:
    response = api().post("/api/v1/auth/login", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 200, response.content
    return response.json()


def test_tokens_are_opaque_and_never_decode_as_a_jwt(api, world):
    body = login(api, world.patient)
    for token in (body["access_token"], body["refresh_token"]):
        assert token.count(".") == 0
        with pytest.raises(jwt.DecodeError):
            jwt.decode(token, options={"verify_signature": False})
        inner = token_fernet().decrypt(token.encode()).decode()
        claims = jwt.decode(inner, options={"verify_signature": False})
        assert claims["user_id"] == str(world.patient.pk)
        assert claims["aud"] == "clinic-api" and claims["iss"] == "clinic"
    assert body["token_type"] == "bearer" and body["expires_in"] == 15 * 60


@pytest.mark.parametrize("scheme", ["Bearer", "bearer"])
def test_valid_token_reaches_me(api, world, scheme):
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"{scheme} {login(api, world.doctor)['access_token']}")
    response = client.get(ME)
    assert response.status_code == 200
    assert response.json()["id"] == world.doctor.pk


def test_no_credentials_is_401_not_authenticated(api, world):
    assert_401(api().get(ME), code="not_authenticated")


def _expired_access(user) -> str:
    token = tokens.AccessToken.for_user(user)
    token.set_exp(from_time=timezone.now() - timedelta(hours=1))
    return tokens.encrypt(token)


def _plain_jwt(user) -> str:
    return str(tokens.AccessToken.for_user(user))


def _foreign_key(user) -> str:
    return Fernet(Fernet.generate_key()).encrypt(_plain_jwt(user).encode()).decode()


def _tampered(user) -> str:
    raw = bytearray(base64.urlsafe_b64decode(tokens.encrypt(tokens.AccessToken.for_user(user))))
    raw[40] ^= 0x01
    return base64.urlsafe_b64encode(bytes(raw)).decode()


def _truncated(user) -> str:
    return tokens.encrypt(tokens.AccessToken.for_user(user))[:-10]


def _refresh_as_access(user) -> str:
    return tokens.encrypt(tokens.RefreshToken.for_user(user))


def _wrong_signature(user) -> str:
    claims = dict(tokens.AccessToken.for_user(user).payload, aud="clinic-api", iss="clinic")
    return token_fernet().encrypt(jwt.encode(claims, "not-our-key-" * 4, algorithm="HS256").encode()).decode()


def _wrong_audience(user) -> str:
    claims = dict(tokens.AccessToken.for_user(user).payload, aud="someone-else", iss="clinic")
    signed = jwt.encode(claims, django_settings.SIMPLE_JWT["SIGNING_KEY"], algorithm="HS256")
    return token_fernet().encrypt(signed.encode()).decode()


def _unknown_user(user) -> str:
    token = tokens.AccessToken.for_user(user)
    token["user_id"] = "999999"
    return tokens.encrypt(token)


def _no_user_claim(user) -> str:
    token = tokens.AccessToken.for_user(user)
    del token["user_id"]
    return tokens.encrypt(token)


def _encrypted_garbage(user) -> str:
    return token_fernet().encrypt(b"\xff\xfe not a jwt").decode()


BAD_TOKENS = {
    "garbage": lambda user: "garbage",
    "empty-ish": lambda user: "x",
    "non-ascii": lambda user: "ÿÿÿÿ",
    "truncated": _truncated,
    "tampered": _tampered,
    "expired": _expired_access,
    "unknown key": _foreign_key,
    "plain jwt": _plain_jwt,
    "refresh as access": _refresh_as_access,
    "wrong signature": _wrong_signature,
    "wrong audience": _wrong_audience,
    "unknown user": _unknown_user,
    "no user claim": _no_user_claim,
    "encrypted garbage": _encrypted_garbage,
}


@pytest.mark.parametrize("kind", BAD_TOKENS)
def test_every_bad_access_token_is_401_token_not_valid(api, world, kind):
    assert_401(bearer(api, BAD_TOKENS[kind](world.patient)).get(ME))


@pytest.mark.parametrize("header", ["Bearer", "Bearer a b"])
def test_malformed_authorization_header_is_401(api, world, header):
    client = api()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert_401(client.get(ME))


@pytest.mark.parametrize("kind", ["garbage", "truncated", "tampered", "unknown key", "plain jwt", "expired"])
def test_every_bad_refresh_token_is_401(api, world, kind):
    makers = {**BAD_TOKENS, "expired": _expired_refresh}
    response = api().post("/api/v1/auth/refresh", {"refresh_token": makers[kind](world.patient)})
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def _expired_refresh(user) -> str:
    token = tokens.RefreshToken.for_user(user)
    token.set_exp(from_time=timezone.now() - timedelta(days=30))
    return tokens.encrypt(token)


def test_access_token_used_as_refresh_is_401(api, world):
    access = login(api, world.patient)["access_token"]
    response = api().post("/api/v1/auth/refresh", {"refresh_token": access})
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_prepending_a_key_keeps_old_tokens_and_new_ones_use_it(api, world, settings):
    old_token = login(api, world.patient)["access_token"]
    new_key = Fernet.generate_key().decode()
    settings.TOKEN_ENCRYPTION_KEYS = [new_key, *settings.TOKEN_ENCRYPTION_KEYS]
    assert bearer(api, old_token).get(ME).status_code == 200
    fresh = login(api, world.patient)["access_token"]
    Fernet(new_key.encode()).decrypt(fresh.encode())  # encrypted with the first key
    assert bearer(api, fresh).get(ME).status_code == 200


def test_removing_a_key_invalidates_its_tokens(api, world, settings):
    old = login(api, world.patient)
    settings.TOKEN_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    assert_401(bearer(api, old["access_token"]).get(ME))
    response = api().post("/api/v1/auth/refresh", {"refresh_token": old["refresh_token"]})
    assert response.status_code == 401


def test_outstanding_token_rows_never_hold_the_token(api, world):
    from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

    login(api, world.patient)
    assert OutstandingToken.objects.filter(user=world.patient).count() == 1
    assert OutstandingToken.objects.get(user=world.patient).token == ""


def test_cached_user_holds_no_plaintext_and_no_password(api, world):
    from django.core.cache import cache

    from accounts import user_cache

    bearer(api, login(api, world.patient)["access_token"]).get(ME)
    raw = cache.get(user_cache.user_key(world.patient.pk))
    assert raw is not None
    assert world.patient.email.encode() not in raw
    values = json.loads(user_cache.field_fernet().decrypt(raw))
    assert "password" not in values and values["email"] == world.patient.email
