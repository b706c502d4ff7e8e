"""Changing one's own email or username takes one's current password
(API.md, "Users"): a stolen access token alone cannot take the account over."""

import pytest

from accounts.models import AuditAction, AuditEvent
from accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

CHANGES = [
    {"email": "taken.over@x.test"},
    {"username": "taken-over"},
    {"email": "taken.over@x.test", "username": "taken-over", "full_name": "Someone Else"},
]


def identifiers(user) -> tuple[str, str, str]:
    user.refresh_from_db()
    return user.username, user.email, user.full_name


@pytest.mark.parametrize("change", CHANGES)
@pytest.mark.parametrize(
    ("password", "message"),
    [
        (None, "Give your current password to change your email or username."),
        ("not-the-password", "The current password is not correct."),
    ],
)
def test_users_me_identifier_change_needs_the_current_password(api, world, change, password, message):
    before = identifiers(world.patient)
    body = change if password is None else {**change, "current_password": password}
    response = api(world.patient).patch("/api/v1/users/me", body)
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert response.json()["errors"] == {"current_password": [message]}
    assert identifiers(world.patient) == before
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE).exists()
    unchanged = {"email": before[1], "username": before[0], "full_name": "New Name"}  # no password needed
    assert api(world.patient).patch("/api/v1/users/me", unchanged).status_code == 200
    assert identifiers(world.patient) == (*before[:2], "New Name")
    response = api(world.patient).patch("/api/v1/users/me", {**change, "current_password": PASSWORD})
    assert response.status_code == 200
    assert "current_password" not in response.json()
    world.patient.refresh_from_db()
    for field, value in change.items():
        assert getattr(world.patient, field) == value
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE).first()  # the newest
    assert event.fields == sorted(change)


def test_an_admin_needs_their_password_for_their_own_identifiers_not_for_others(api, world):
    client = api(world.admin)
    body = {"email": "renamed@x.test", "username": "renamed"}
    assert client.patch(f"/api/v1/users/{world.patient.pk}", body).status_code == 200
    assert identifiers(world.patient)[:2] == ("renamed", "renamed@x.test")
    before = identifiers(world.admin)
    response = client.patch(f"/api/v1/users/{world.admin.pk}", {"username": "boss"})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["current_password"]
    assert identifiers(world.admin) == before
    body = {"username": "boss", "current_password": PASSWORD}
    assert client.patch(f"/api/v1/users/{world.admin.pk}", body).status_code == 200
    assert identifiers(world.admin)[0] == "boss"


def test_the_schema_offers_current_password_on_profile_patch(client):
    schema = client.get("/api/schema/?format=json").json()
    request = schema["paths"]["/api/v1/users/me/"]["patch"]["requestBody"]["content"]["application/json"]
    name = request["schema"]["$ref"].rsplit("/", 1)[-1]
    properties = schema["components"]["schemas"][name]["properties"]
    assert properties["current_password"]["writeOnly"] is True
