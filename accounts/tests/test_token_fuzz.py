"""Token fuzz, beyond test_tokens.py's list: forged headers and claims inside a
correctly encrypted envelope (so the JWT checks themselves are what refuses
them), blacklisted and revoked tokens, oversized headers, and one refresh
token raced 20 times. Every refusal is a JSON 401 `{"detail", "code"}` with
`WWW-Authenticate`."""

import threading
import time
from datetime import timedelta

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts import tokens
from accounts.tests.factories import PASSWORD, UserFactory
from config.crypto import token_fernet

ME = "/api/v1/auth/me"
REFRESH = "/api/v1/auth/refresh"


def assert_401(response):
    assert response.status_code == 401, response.content
    body = response.json()
    assert set(body) == {"detail", "code"}
    assert body["code"] in {"token_not_valid", "not_authenticated"}
    assert response["WWW-Authenticate"].startswith("Bearer")


def _claims(user, token_class=tokens.AccessToken, **changes) -> dict:
    """The claims SimpleJWT would sign, audience and issuer included."""
    base = {"aud": settings.SIMPLE_JWT["AUDIENCE"], "iss": settings.SIMPLE_JWT["ISSUER"]}
    return {**base, **token_class.for_user(user).payload, **changes}


def _sealed(signed: str) -> str:
    """A forged JWT in our own encryption: only the JWT checks stand in the way."""
    return token_fernet().encrypt(signed.encode()).decode()


def _signed(claims: dict, algorithm: str = "HS256", key=None, headers=None) -> str:
    key = settings.SIMPLE_JWT["SIGNING_KEY"] if key is None else key
    return jwt.encode(claims, key, algorithm=algorithm, headers=headers)


def _alg_none(user) -> str:
    return _sealed(jwt.encode(_claims(user), None, algorithm="none"))


def _alg_none_header_with_valid_signature(user) -> str:
    _header, payload, signature = _signed(_claims(user)).split(".")
    forged_header = jwt.utils.base64url_encode(b'{"alg":"none","typ":"JWT"}').decode()
    return _sealed(f"{forged_header}.{payload}.{signature}")


def _hs512(user) -> str:
    return _sealed(_signed(_claims(user), algorithm="HS512"))


def _rs256(user) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return _sealed(_signed(_claims(user), algorithm="RS256", key=key))


def _future_nbf(user) -> str:
    return _sealed(_signed(_claims(user, nbf=int(time.time()) + 3600)))


def _wrong_issuer(user) -> str:
    return _sealed(_signed(_claims(user, iss="someone-else")))


def _wrong_audience(user) -> str:
    return _sealed(_signed(_claims(user, aud="someone-else")))


def _no_audience(user) -> str:
    claims = _claims(user)
    del claims["aud"]
    return _sealed(_signed(claims))


def _expired_forged(user) -> str:
    return _sealed(_signed(_claims(user, exp=int(time.time()) - 10)))


def _flipped_byte(user) -> str:
    token = bytearray(tokens.access_for(user).encode())
    token[len(token) // 2] ^= 0x02
    return token.decode("ascii", "replace")


def _inner_flipped_byte(user) -> str:
    inner = bytearray(tokens.decrypt(tokens.access_for(user)).encode())
    inner[-5] = ord("A") if inner[-5] != ord("A") else ord("B")
    return _sealed(inner.decode())


def _huge(user) -> str:
    return "A" * 10 * 1024


def _huge_encrypted(user) -> str:
    return _sealed(_signed(_claims(user, padding="x" * 10 * 1024)))


FORGED = {
    "alg none": _alg_none,
    "alg none header, valid signature": _alg_none_header_with_valid_signature,
    "HS512": _hs512,
    "RS256": _rs256,
    "future nbf": _future_nbf,
    "wrong iss": _wrong_issuer,
    "wrong aud": _wrong_audience,
    "no aud": _no_audience,
    "expired (forged exp)": _expired_forged,
    "flipped byte": _flipped_byte,
    "flipped byte inside": _inner_flipped_byte,
    "10 kB garbage": _huge,
}


@pytest.mark.django_db
def test_the_forging_harness_makes_valid_tokens_when_nothing_is_wrong(api, world):
    """So each refusal below is about the one thing changed."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {_sealed(_signed(_claims(world.patient)))}")
    assert client.get(ME).status_code == 200
    refresh = _sealed(_signed(_claims(world.patient, tokens.RefreshToken)))
    assert api().post(REFRESH, {"refresh_token": refresh}).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("kind", FORGED)
def test_every_forged_access_token_is_401(api, world, kind):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {FORGED[kind](world.patient)}")
    assert_401(client.get(ME))


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [*(k for k in FORGED if k != "10 kB garbage"), "access as refresh"])
def test_every_forged_refresh_token_is_401_and_issues_nothing(api, world, kind):
    makers = {
        **FORGED,
        "alg none": lambda u: _sealed(jwt.encode(_claims(u, tokens.RefreshToken), None, algorithm="none")),
        "HS512": lambda u: _sealed(_signed(_claims(u, tokens.RefreshToken), algorithm="HS512")),
        "future nbf": lambda u: _sealed(
            _signed(_claims(u, tokens.RefreshToken, nbf=int(time.time()) + 3600))
        ),
        "wrong iss": lambda u: _sealed(_signed(_claims(u, tokens.RefreshToken, iss="x"))),
        "wrong aud": lambda u: _sealed(_signed(_claims(u, tokens.RefreshToken, aud="x"))),
        "access as refresh": tokens.access_for,
    }
    forged = makers[kind](world.patient)
    outstanding = OutstandingToken.objects.count()
    response = api().post(REFRESH, {"refresh_token": forged})
    assert_401(response)
    assert OutstandingToken.objects.count() == outstanding  # no pair was minted


@pytest.mark.django_db
def test_a_10kb_authorization_header_is_401(api, world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer " + _huge_encrypted(world.patient))
    # A signed, unexpired, correctly encrypted token, just very large: still ours, still valid.
    assert client.get(ME).status_code == 200
    client.credentials(HTTP_AUTHORIZATION="Bearer " + "B" * 10 * 1024)
    assert_401(client.get(ME))


@pytest.mark.django_db
def test_a_blacklisted_refresh_token_is_401(api, world):
    pair = tokens.pair_for(world.patient)
    tokens.read(pair.refresh_token, tokens.RefreshToken).blacklist()
    assert_401(api().post(REFRESH, {"refresh_token": pair.refresh_token}))
    assert BlacklistedToken.objects.filter(token__user=world.patient).count() == 1


@pytest.mark.django_db
def test_an_access_token_after_logout_is_401(api, world):
    pair = tokens.pair_for(world.patient)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair.access_token}")
    assert client.post("/api/v1/auth/logout", {"refresh_token": pair.refresh_token}).status_code == 204
    assert_401(client.get(ME))
    assert_401(api().post(REFRESH, {"refresh_token": pair.refresh_token}))


@pytest.mark.django_db
def test_an_expired_token_is_refused_even_when_everything_else_is_right(api, world):
    token = tokens.AccessToken.for_user(world.patient)
    token.set_exp(lifetime=timedelta(seconds=-1))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens.encrypt(token)}")
    assert_401(client.get(ME))


@pytest.mark.django_db(transaction=True)
def test_one_refresh_token_sent_20_times_in_parallel_succeeds_at_most_once():
    user = UserFactory()
    login = APIClient().post("/api/v1/auth/login", {"username": user.username, "password": PASSWORD})
    refresh_token = login.json()["refresh_token"]
    barrier, statuses, lock = threading.Barrier(20), [], threading.Lock()

    def refresh():
        try:
            barrier.wait()
            response = APIClient().post(REFRESH, {"refresh_token": refresh_token})
            with lock:
                statuses.append(response.status_code)
        finally:
            connection.close()  # each thread had its own connection

    threads = [threading.Thread(target=refresh) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(statuses) == 20
    assert statuses.count(200) <= 1
    assert set(statuses) <= {200, 401}
    # login's refresh token plus at most one rotated one
    assert OutstandingToken.objects.filter(user=user).count() == 1 + statuses.count(200)
