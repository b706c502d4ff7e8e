"""`/api/v1/users/` and `/api/v1/doctors/` (API.md, "Users")."""

import pytest

from accounts.models import AuditAction, AuditEvent, Role, User
from accounts.tests.factories import PASSWORD, DoctorFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = ["admin", "staff", "doctor", "other_doctor", "patient", "other_patient", "anonymous"]
NOT_ADMIN = ["staff", "doctor", "other_doctor", "patient", "other_patient"]
NEW_PASSWORD = "a-brand-new-passphrase-42"


def expected_denial(role):
    return (401, "not_authenticated") if role == "anonymous" else (403, "permission_denied")


# Admin endpoints: role matrix


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/api/v1/users/", None),
        (
            "post",
            "/api/v1/users",
            {"email": "n@x.test", "username": "n", "password": NEW_PASSWORD, "role": "staff"},
        ),
        ("get", "/api/v1/users/{id}", None),
        ("patch", "/api/v1/users/{id}/", {"full_name": "Renamed"}),
        ("delete", "/api/v1/users/{id}", None),
    ],
)
def test_user_admin_endpoints_are_for_admins_only(api, world, role, method, path, body):
    target = world.other_patient
    before = User.objects.values_list("id", "full_name", "is_active").order_by("id")
    before = list(before)
    response = getattr(api(world.user(role)), method)(path.format(id=target.pk), body)
    if role == "admin":
        assert response.status_code in {200, 201, 204}
        return
    assert (response.status_code, response.json()["code"]) == expected_denial(role)
    assert list(User.objects.values_list("id", "full_name", "is_active").order_by("id")) == before


def test_a_superuser_counts_as_admin_whatever_its_role(api, world):
    root = UserFactory(role=Role.PATIENT, is_superuser=True)
    response = api(root).get("/api/v1/users/")
    assert response.status_code == 200
    assert response.json()["count"] == User.objects.count()


def test_admin_lists_users_filtered_by_role_and_search(api, world):
    client = api(world.admin)
    doctors = client.get("/api/v1/users/?role=doctor").json()
    assert {u["id"] for u in doctors["results"]} == {world.doctor.pk, world.other_doctor.pk}
    found = client.get(f"/api/v1/users/?search={world.staff.email.upper()}").json()
    assert [u["id"] for u in found["results"]] == [world.staff.pk]
    bad = client.get("/api/v1/users/?role=wizard")
    assert bad.status_code == 400 and bad.json()["code"] == "validation_error"


def test_user_list_query_count_does_not_grow_with_page_size(api, world, django_assert_max_num_queries):
    UserFactory.create_batch(30)
    client = api(world.admin)
    with django_assert_max_num_queries(2):
        response = client.get("/api/v1/users/?limit=100")
    assert len(response.json()["results"]) == User.objects.count()


def test_admin_creates_a_user_of_any_role(api, world):
    body = {
        "email": "Nurse@X.test",
        "username": "nurse",
        "password": NEW_PASSWORD,
        "role": "staff",
        "full_name": "N",
    }
    response = api(world.admin).post("/api/v1/users/", body)
    assert response.status_code == 201
    user = User.objects.get(username="nurse")
    assert response.json() == {
        "id": user.pk,
        "email": "Nurse@x.test",
        "username": "nurse",
        "full_name": "N",
        "role": "staff",
        "is_active": True,
        "language": "en",
        "date_joined": response.json()["date_joined"],
    }
    assert user.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(action=AuditAction.CREATE)
    assert (event.actor, event.object_id) == (world.admin, str(user.pk))


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "a@x.test", "username": "a", "password": "short", "role": "staff"}, "password"),
        ({"email": "a@x.test", "username": "a", "password": NEW_PASSWORD, "role": "wizard"}, "role"),
        ({"email": "a@x.test", "username": "a", "password": NEW_PASSWORD}, "role"),
    ],
)
def test_admin_create_validates(api, world, body, field):
    response = api(world.admin).post("/api/v1/users/", body)
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not User.objects.filter(username="a").exists()


def test_admin_role_change_revokes_that_users_tokens(api, world):
    signed_in = api(world.staff)
    response = api(world.admin).patch(f"/api/v1/users/{world.staff.pk}", {"role": "doctor"})
    assert response.status_code == 200 and response.json()["role"] == "doctor"
    world.staff.refresh_from_db()
    assert world.staff.role == Role.DOCTOR and world.staff.tokens_valid_after is not None
    assert signed_in.get("/api/v1/auth/me").status_code == 401
    assert api(world.staff).get("/api/v1/auth/me").json()["role"] == "doctor"
    event = AuditEvent.objects.get(action=AuditAction.UPDATE)
    assert event.fields == ["role"]


def test_admin_rename_does_not_revoke_tokens(api, world):
    signed_in = api(world.doctor)
    response = api(world.admin).patch(f"/api/v1/users/{world.doctor.pk}", {"full_name": "Dr New"})
    assert response.status_code == 200
    assert signed_in.get("/api/v1/auth/me").json()["full_name"] == "Dr New"


@pytest.mark.parametrize("how", ["patch", "delete"])
def test_deactivation_keeps_the_user_and_revokes_their_tokens(api, world, how):
    signed_in = api(world.patient)
    admin = api(world.admin)
    if how == "patch":
        response = admin.patch(f"/api/v1/users/{world.patient.pk}", {"is_active": False})
        assert response.status_code == 200
    else:
        response = admin.delete(f"/api/v1/users/{world.patient.pk}/")
        assert response.status_code == 204
    world.patient.refresh_from_db()
    assert not world.patient.is_active
    assert world.client.user == world.patient  # nothing referencing the user is lost
    me = signed_in.get("/api/v1/auth/me")
    assert me.status_code == 401 and me.json()["code"] == "token_not_valid"
    admin.patch(f"/api/v1/users/{world.patient.pk}", {"is_active": True})
    assert signed_in.get("/api/v1/auth/me").status_code == 401  # old tokens stay revoked


def test_admin_cannot_deactivate_or_demote_themselves(api, world):
    client = api(world.admin)
    for body in ({"is_active": False}, {"role": "patient"}):
        response = client.patch(f"/api/v1/users/{world.admin.pk}", body)
        assert response.status_code == 400
        assert response.json()["code"] == "validation_error"
    assert client.delete(f"/api/v1/users/{world.admin.pk}").status_code == 400
    world.admin.refresh_from_db()
    assert world.admin.is_active and world.admin.role == Role.ADMIN


def test_admin_patch_refuses_a_taken_email(api, world):
    response = api(world.admin).patch(
        f"/api/v1/users/{world.patient.pk}", {"email": world.doctor.email.upper()}
    )
    assert response.status_code == 400
    assert "email" in response.json()["errors"]


def test_unknown_user_is_404(api, world):
    response = api(world.admin).get("/api/v1/users/999999")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


# users/me


@pytest.mark.parametrize("role", ROLES)
def test_users_me_answers_every_signed_in_user(api, world, role):
    response = api(world.user(role)).get("/api/v1/users/me")
    if role == "anonymous":
        assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")
        return
    assert response.status_code == 200
    assert response.json()["id"] == world.user(role).pk


@pytest.mark.parametrize("role", ["admin", "staff", "doctor", "patient"])
def test_users_me_patch_changes_profile_but_never_role_or_is_active(api, world, role):
    user = world.user(role)
    body = {
        "full_name": "New Name",
        "email": "new@x.test",
        "username": f"new-{role}",
        "role": "admin",
        "is_active": False,
        "current_password": PASSWORD,
    }
    response = api(user).patch("/api/v1/users/me/", body)
    assert response.status_code == 200
    user.refresh_from_db()
    assert (user.full_name, user.email, user.username) == ("New Name", "new@x.test", f"new-{role}")
    assert user.role == role and user.is_active
    assert response.json()["role"] == role
    assert api(user).get("/api/v1/auth/me").json()["full_name"] == "New Name"


def test_users_me_patch_refuses_a_taken_username(api, world):
    response = api(world.patient).patch(
        "/api/v1/users/me", {"username": world.doctor.username.upper(), "current_password": PASSWORD}
    )
    assert response.status_code == 400
    assert "username" in response.json()["errors"]
    world.patient.refresh_from_db()
    assert world.patient.username != world.doctor.username.upper()


# doctors


@pytest.mark.parametrize("role", ROLES)
def test_doctors_lists_active_doctors_for_anyone_signed_in(api, world, role):
    DoctorFactory(is_active=False)
    response = api(world.user(role)).get("/api/v1/doctors/")
    if role == "anonymous":
        assert response.status_code == 401
        return
    assert response.status_code == 200
    assert sorted(response.json(), key=lambda d: d["id"]) == [
        {"id": d.pk, "full_name": d.full_name}
        for d in sorted([world.doctor, world.other_doctor], key=lambda d: d.pk)
    ]


def test_doctors_query_count_is_flat(api, world, django_assert_max_num_queries):
    DoctorFactory.create_batch(20)
    client = api(world.patient)
    with django_assert_max_num_queries(1):
        response = client.get("/api/v1/doctors")
    assert len(response.json()) == 22
