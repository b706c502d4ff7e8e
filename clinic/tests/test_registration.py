"""`POST /api/v1/auth/register` (API.md, "Auth"): a patient's account and
their own client record, both written by clinic.services.register_patient."""

import pytest

from accounts.models import Role, User
from accounts.tests.factories import UserFactory
from clinic.models import Client
from clinic.tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-passphrase-42"


def bearer(api, token: str):
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_register_creates_a_patient_and_their_own_client_record(api, db):
    ClientFactory(email="ann@example.test", user=None)  # same email, someone else's record
    body = {
        "email": "Ann@Example.test",
        "username": "ann",
        "password": NEW_PASSWORD,
        "full_name": "Ann Lee Smith",
    }
    response = api().post("/api/v1/auth/register", body)
    assert response.status_code == 201, response.content
    data = response.json()
    user = User.objects.get(username="ann")
    record = Client.objects.get(user=user)
    assert data["user"] == {
        "id": user.pk,
        "email": "Ann@example.test",
        "username": "ann",
        "full_name": "Ann Lee Smith",
        "role": "patient",
        "is_active": True,
        "language": "en",
        "date_joined": data["user"]["date_joined"],
        "client": record.pk,
    }
    assert data["token_type"] == "bearer" and data["expires_in"] == 900
    assert user.role == Role.PATIENT and user.check_password(NEW_PASSWORD)
    assert (record.first_name, record.last_name, record.email) == ("Ann", "Lee Smith", user.email)
    assert Client.objects.filter(email__iexact="ann@example.test").count() == 2
    me = bearer(api, data["access_token"]).get("/api/v1/auth/me").json()
    assert (me["id"], me["client"]) == (user.pk, record.pk)


def test_register_without_full_name(api, db):
    response = api().post(
        "/api/v1/auth/register", {"email": "b@x.test", "username": "b", "password": NEW_PASSWORD}
    )
    assert response.status_code == 201
    assert Client.objects.get(user__username="b").first_name == ""


@pytest.mark.parametrize(
    ("field", "body"),
    [
        ("email", {"email": "TAKEN@clinic.test", "username": "fresh"}),
        ("username", {"email": "fresh@x.test", "username": "TAKEN"}),
        ("password", {"email": "fresh@x.test", "username": "fresh", "password": "123"}),
        ("password", {"email": "fresh@x.test", "username": "fresh", "password": "password"}),
        ("email", {"email": "not-an-email", "username": "fresh"}),
    ],
)
def test_register_rejects_taken_names_and_weak_passwords(api, db, field, body):
    UserFactory(username="taken", email="taken@clinic.test")
    response = api().post("/api/v1/auth/register", {"password": NEW_PASSWORD, **body})
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert field in response.json()["errors"]
    assert User.objects.count() == 1 and Client.objects.count() == 0


def test_register_is_403_when_registration_is_closed(api, db, settings):
    settings.ALLOW_REGISTRATION = False
    body = {"email": "c@x.test", "username": "c", "password": NEW_PASSWORD}
    response = api().post("/api/v1/auth/register", body)
    assert response.status_code == 403
    assert response.json()["code"] == "registration_closed"
    assert not User.objects.exists()
