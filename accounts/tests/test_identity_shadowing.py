"""One identifier, one account: a username may not be another account's email,
nor an email another account's username, case-insensitively (API.md, "Users").
Otherwise signing in with that identifier reaches the wrong account."""

import os
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import IntegrityError, connection, transaction

from accounts.models import EMAIL_IS_ANOTHER_USERNAME, USERNAME_IS_ANOTHER_EMAIL, User
from accounts.tests.factories import PASSWORD, UserFactory
from clinic.models import Client
from config.tests.concurrency import run_concurrently

NEW_PASSWORD = "a-brand-new-passphrase-42"
HOLDER_USERNAME = "front.desk@clinic.test"  # a username that looks like an email


@pytest.fixture
def holder(db):
    """An account whose username looks like an email."""
    return UserFactory(username=HOLDER_USERNAME, email="holder@elsewhere.test")


def shadowing(world, holder, direction: str) -> tuple[dict, str]:
    """A change that would shadow another account, and the field the 400 names:
    a username equal to the doctor's email, or an email equal to the holder's
    username, each in a different case than stored."""
    if direction == "username_is_another_email":
        return {"username": world.doctor.email.upper()}, "username"
    return {"email": holder.username.upper()}, "email"


DIRECTIONS = ["username_is_another_email", "email_is_another_username"]


def assert_validation_error(response, field):
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "validation_error"
    assert list(body["errors"]) == [field]


def identifiers(user) -> tuple[str, str]:
    user.refresh_from_db()
    return user.username, user.email


# The issue's own case


def test_a_username_cannot_take_a_doctors_email_and_the_doctor_still_signs_in(api, world):
    response = api(world.patient).patch(
        "/api/v1/users/me",
        {"username": world.doctor.email, "current_password": PASSWORD},
    )
    assert_validation_error(response, "username")
    assert response.json()["errors"]["username"] == ["Another account uses this username as its email."]
    assert identifiers(world.patient)[0] != world.doctor.email
    login = api().post("/api/v1/auth/login", {"username": world.doctor.email, "password": PASSWORD})
    assert login.status_code == 200
    access = login.json()["access_token"]
    me = api().get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Bearer {access}")
    assert me.json()["id"] == world.doctor.pk


# Every path refuses both directions


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_register_refuses_an_identifier_of_another_account(api, world, holder, direction):
    change, field = shadowing(world, holder, direction)
    body = {"email": "new@clinic.test", "username": "newcomer", "password": NEW_PASSWORD, **change}
    response = api().post("/api/v1/auth/register", body)
    assert_validation_error(response, field)
    assert User.objects.count() == 7
    assert not Client.objects.filter(email=body["email"]).exists()


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_users_me_refuses_an_identifier_of_another_account(api, world, holder, direction):
    before = identifiers(world.patient)
    change, field = shadowing(world, holder, direction)
    response = api(world.patient).patch("/api/v1/users/me", {**change, "current_password": PASSWORD})
    assert_validation_error(response, field)
    assert identifiers(world.patient) == before


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_admin_create_refuses_an_identifier_of_another_account(api, world, holder, direction):
    change, field = shadowing(world, holder, direction)
    body = {"email": "n@clinic.test", "username": "n", "password": NEW_PASSWORD, "role": "staff", **change}
    response = api(world.admin).post("/api/v1/users/", body)
    assert_validation_error(response, field)
    assert User.objects.count() == 7


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_admin_patch_refuses_an_identifier_of_another_account(api, world, holder, direction):
    before = identifiers(world.patient)
    change, field = shadowing(world, holder, direction)
    response = api(world.admin).patch(f"/api/v1/users/{world.patient.pk}", change)
    assert_validation_error(response, field)
    assert identifiers(world.patient) == before


def change_form(user, **changes) -> dict:
    data = {
        "username": user.username,
        "email": user.email,
        "full_name": user.full_name,
        "role": user.role,
        "is_active": "on",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "initial-date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "initial-date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    }
    return {**data, **changes}


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_admin_add_form_refuses_an_identifier_of_another_account(world, holder, browser, direction):
    change, field = shadowing(world, holder, direction)
    form = {
        "username": "newcomer",
        "email": "new@clinic.test",
        "full_name": "New Comer",
        "role": "staff",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        **change,
    }
    response = browser.post("/admin/accounts/user/add/", form)
    assert response.status_code == 200  # the form again, with its error
    assert list(response.context["adminform"].form.errors) == [field]
    assert User.objects.filter(username__in=["newcomer", change.get("username", "")]).count() == 0
    assert User.objects.count() == 8
    free = {**form, "username": "newcomer", "email": "new@clinic.test"}
    assert browser.post("/admin/accounts/user/add/", free).status_code == 302
    assert User.objects.filter(username="newcomer", email="new@clinic.test").exists()


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_admin_change_form_refuses_an_identifier_of_another_account(world, holder, browser, direction):
    before = identifiers(world.patient)
    change, field = shadowing(world, holder, direction)
    response = browser.post(
        f"/admin/accounts/user/{world.patient.pk}/change/", change_form(world.patient, **change)
    )
    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == [field]
    assert identifiers(world.patient) == before
    free = change_form(world.patient, username="renamed", email="renamed@clinic.test")
    assert browser.post(f"/admin/accounts/user/{world.patient.pk}/change/", free).status_code == 302
    assert identifiers(world.patient) == ("renamed", "renamed@clinic.test")


# The database guard


@pytest.mark.parametrize(
    ("change", "constraint"),
    [
        (lambda world, holder: {"username": world.doctor.email.upper()}, USERNAME_IS_ANOTHER_EMAIL),
        (lambda world, holder: {"email": holder.username.title()}, EMAIL_IS_ANOTHER_USERNAME),
    ],
)
def test_the_database_refuses_an_orm_update_that_bypasses_the_services(world, holder, change, constraint):
    before = identifiers(world.patient)
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        User.objects.filter(pk=world.patient.pk).update(**change(world, holder))
    assert caught.value.__cause__.diag.constraint_name == constraint
    assert identifiers(world.patient) == before


def test_the_database_refuses_an_insert_that_bypasses_the_services(world, holder):
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        User.objects.create(username="x", email=HOLDER_USERNAME)
    assert caught.value.__cause__.diag.constraint_name == EMAIL_IS_ANOTHER_USERNAME
    assert not User.objects.filter(username="x").exists()
    User.objects.create(username="Self@Clinic.test", email="self@clinic.test")  # one's own: fine


def test_older_overlapping_rows_do_not_block_saving_other_fields(api, world):
    """Rows that overlapped before the guard existed: a change of anything but
    the overlapping identifier still saves (only changed identifiers are checked)."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE accounts_user DISABLE TRIGGER accounts_user_identifiers_distinct")
        User.objects.filter(pk=world.patient.pk).update(username=world.doctor.email)
        cursor.execute("ALTER TABLE accounts_user ENABLE TRIGGER accounts_user_identifiers_distinct")
    response = api(world.admin).patch(f"/api/v1/users/{world.patient.pk}", {"full_name": "Still Saved"})
    assert response.status_code == 200
    world.patient.refresh_from_db()
    assert world.patient.full_name == "Still Saved"


# Racing requests: the database decides


def session_connection():
    """A connection that is a session of its own: straight to PostgreSQL when
    the suite runs through PgBouncer (`make test-pgbouncer` sets
    DATABASE_DIRECT_URL), where a session-level lock would stay behind on a
    pooled server connection that the app's requests then share."""
    params = connection.get_connection_params()
    if direct := os.environ.get("DATABASE_DIRECT_URL"):
        parts = urlsplit(direct)
        host = parse_qs(parts.query).get("host", [parts.hostname])[0]
        params = {**params, "host": host, "port": parts.port or 5432}
    return connection.get_new_connection(params)


def lock_key(identifier: str) -> str:
    return f"hashtext('accounts_user_identifier'), hashtext(lower('{identifier}'))"


def waiting_for_the_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
        return cursor.fetchone()[0]


def wait_for_waiters(count: int, seconds: float = 10) -> bool:
    """Whether `count` transactions came to wait for an advisory lock in time."""
    deadline = time.monotonic() + seconds
    while waiting_for_the_lock() < count:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def outcome(response) -> tuple[int, list | None]:
    if response.status_code == 200:
        return 200, None
    body = response.json()
    return response.status_code, [body["code"], *body.get("errors", {})]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first", ["username", "email"])
def test_racing_username_and_email_of_one_identifier_one_wins(world, api, first):
    """Account A sets username X while account B sets email X. The advisory
    lock the trigger takes on X is held here, so both requests pass the
    services' checks and wait inside the database; `first` queues first, so
    both orders are raced, and the database alone decides."""
    identifier = "shared@clinic.test"
    patient, other = api(world.patient), api(world.admin)
    holder = session_connection()
    holder.autocommit = True
    holder.execute(f"SELECT pg_advisory_lock({lock_key(identifier)})")
    order = ["username", "email"] if first == "username" else ["email", "username"]

    def set_username():
        if order[0] == "email":
            wait_for_waiters(1)
        body = {"username": identifier, "current_password": PASSWORD}
        return "username", outcome(patient.patch("/api/v1/users/me", body))

    def set_email():
        if order[0] == "username":
            wait_for_waiters(1)
        return "email", outcome(other.patch(f"/api/v1/users/{world.other_patient.pk}", {"email": identifier}))

    def release():
        both_held = wait_for_waiters(2)
        holder.execute(f"SELECT pg_advisory_unlock({lock_key(identifier)})")
        return "both held in the database", both_held

    try:
        answers = dict(run_concurrently([set_username, set_email, release]))
    finally:
        holder.close()
    winner, loser = order
    assert answers == {
        winner: (200, None),
        loser: (400, ["validation_error", loser]),
        "both held in the database": True,
    }
    world.patient.refresh_from_db()
    world.other_patient.refresh_from_db()
    assert (world.patient.username == identifier) == (first == "username")
    assert (world.other_patient.email == identifier) == (first == "email")
