"""Refresh races, the user cache and the OpenAPI security scheme."""

import threading

import pytest
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from accounts.tests.factories import PASSWORD, UserFactory
from config.tests.concurrency import run_concurrently


@pytest.mark.django_db(transaction=True)
def test_racing_refreshes_with_one_token_give_one_new_pair():
    user = UserFactory()
    tokens = APIClient().post("/api/v1/auth/login", {"username": user.username, "password": PASSWORD}).json()

    def refresh():
        return (
            APIClient().post("/api/v1/auth/refresh", {"refresh_token": tokens["refresh_token"]}).status_code
        )

    statuses = run_concurrently([refresh] * 4)
    assert sorted(statuses) == [200, 401, 401, 401]


@pytest.mark.django_db
def test_a_warm_token_cache_answers_me_without_queries(api, world, django_assert_num_queries):
    client = api(world.doctor)
    with django_assert_num_queries(0):
        assert client.get("/api/v1/auth/me").status_code == 200


@pytest.mark.django_db
def test_a_cold_cache_reads_the_user_once_then_caches_it(api, world, django_assert_num_queries):
    from django.core.cache import cache

    client = api(world.doctor)
    cache.clear()
    with django_assert_num_queries(1):
        assert client.get("/api/v1/auth/me").status_code == 200
    with django_assert_num_queries(0):
        assert client.get("/api/v1/auth/me").status_code == 200


@pytest.mark.django_db
def test_the_encrypted_jwt_authentication_is_the_only_one():
    assert settings.REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] == [
        "accounts.authentication.EncryptedJWTAuthentication"
    ]


@pytest.mark.django_db
def test_schema_offers_the_oauth2_password_flow(client):
    schema = client.get("/api/schema/?format=json").json()
    scheme = schema["components"]["securitySchemes"]["OAuth2PasswordBearer"]
    assert scheme["flows"]["password"]["tokenUrl"] == "/api/v1/auth/login"
    assert {"OAuth2PasswordBearer": []} in schema["paths"]["/api/v1/auth/me/"]["get"]["security"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "junk", [b"not encrypted", "encrypted-but-not-json", "encrypted-json-missing-fields"]
)
def test_an_unreadable_cache_entry_falls_back_to_the_database(api, world, junk):
    from django.core.cache import cache

    from accounts import user_cache
    from config.crypto import field_fernet

    client = api(world.doctor)
    raw = {
        "encrypted-but-not-json": field_fernet().encrypt(b"{nope"),
        "encrypted-json-missing-fields": field_fernet().encrypt(b'{"id": 1}'),
    }.get(junk, junk)
    cache.set(user_cache.user_key(world.doctor.pk), raw)
    response = client.get("/api/v1/auth/me")
    assert response.status_code == 200
    assert response.json()["id"] == world.doctor.pk


@pytest.mark.django_db(transaction=True)
def test_a_refresh_waits_for_a_rotation_in_flight_and_is_then_refused():
    import jwt
    from django.db import transaction
    from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

    from config.crypto import token_fernet

    user = UserFactory()
    tokens = APIClient().post("/api/v1/auth/login", {"username": user.username, "password": PASSWORD}).json()
    inner = token_fernet().decrypt(tokens["refresh_token"].encode())
    jti = jwt.decode(inner, options={"verify_signature": False})["jti"]
    result = {}

    def refresh():
        try:
            response = APIClient().post("/api/v1/auth/refresh", {"refresh_token": tokens["refresh_token"]})
            result["status"] = response.status_code
        finally:
            connection.close()

    with transaction.atomic():  # another rotation of the same token, holding its row
        outstanding = OutstandingToken.objects.select_for_update().get(jti=jti)
        thread = threading.Thread(target=refresh)
        thread.start()
        thread.join(timeout=1.0)
        assert thread.is_alive()  # queued behind the row lock
        BlacklistedToken.objects.create(token=outstanding)
    thread.join(timeout=10)
    assert result["status"] == 401
