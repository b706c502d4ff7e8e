"""Hardening: deploy checks, the append-only audit table, and a database
outage answered as a JSON 503 (not a 500)."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.checks import Tags, run_checks
from django.db import DatabaseError, OperationalError, connection, transaction
from django.db.models import ProtectedError

from accounts.audit import record_event
from accounts.models import AuditAction, AuditEvent
from accounts.tests.factories import PASSWORD
from clinic.models import Client
from config import settings as project_settings

OUR_CHECKS = {"config.E001", "config.E002", "config.E003", "config.E004", "config.E005", "config.E006"}
REAL_KEY = "q2VxbFx1n8b6o4rj3CzZ0S1y9mQwMkXq3t7b4E0p9hA="


def deploy_check_ids() -> set[str]:
    return {error.id for error in run_checks(include_deployment_checks=True, tags=[Tags.security])}


@pytest.fixture
def production_like(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = "a-real-secret-" + "x1y2z3" * 10
    settings.TOKEN_ENCRYPTION_KEYS = [REAL_KEY]
    settings.FIELD_ENCRYPTION_KEYS = [REAL_KEY.replace("q", "r")]
    settings.CORS_ALLOW_ALL_ORIGINS = False
    settings.CORS_ALLOWED_ORIGINS = ["https://app.clinic.example"]
    return settings


def test_a_production_like_configuration_passes_our_deploy_checks(production_like):
    assert deploy_check_ids() & OUR_CHECKS == set()


@pytest.mark.parametrize(
    "setting,value,check_id",
    [
        ("TOKEN_ENCRYPTION_KEYS", [project_settings.DEV_TOKEN_KEY], "config.E002"),
        ("TOKEN_ENCRYPTION_KEYS", [REAL_KEY, project_settings.DEV_TOKEN_KEY], "config.E002"),
        ("FIELD_ENCRYPTION_KEYS", [project_settings.DEV_FIELD_KEY], "config.E003"),
        ("FIELD_ENCRYPTION_KEYS", [], "config.E003"),
        ("CORS_ALLOW_ALL_ORIGINS", True, "config.E004"),
        ("CORS_ALLOWED_ORIGINS", ["*"], "config.E004"),
        ("DEBUG", True, "config.E005"),
        ("SECRET_KEY", project_settings.DEV_SECRET_KEY, "config.E006"),
    ],
)
def test_each_bad_setting_fails_its_deploy_check(production_like, setting, value, check_id):
    setattr(production_like, setting, value)
    assert check_id in deploy_check_ids()


def test_a_missing_token_blacklist_fails_its_deploy_check(production_like):
    production_like.INSTALLED_APPS = [
        app for app in django_settings.INSTALLED_APPS if app != "rest_framework_simplejwt.token_blacklist"
    ]
    assert "config.E001" in deploy_check_ids()


def test_our_checks_are_deploy_only(settings):
    settings.DEBUG = True
    ids = {error.id for error in run_checks(tags=[Tags.security])}
    assert ids & OUR_CHECKS == set()


# The audit table is append-only in the database.


@pytest.fixture
def audit_row(world):
    return record_event(actor=world.admin, action=AuditAction.VIEW, obj=world.client)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE accounts_auditevent SET action = 'delete' WHERE id = %s",
        "UPDATE accounts_auditevent SET actor_id = NULL WHERE id = %s",
        "DELETE FROM accounts_auditevent WHERE id = %s",
    ],
)
def test_raw_sql_cannot_change_or_remove_an_audit_row(audit_row, sql):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql, [audit_row.pk])
    row = AuditEvent.objects.get(pk=audit_row.pk)
    assert (row.action, row.actor_id) == ("view", audit_row.actor_id)


@pytest.mark.django_db
def test_the_orm_cannot_change_or_remove_an_audit_row(audit_row):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=audit_row.pk).update(object_id="1")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=audit_row.pk).delete()
    assert AuditEvent.objects.filter(pk=audit_row.pk, object_id=str(audit_row.object_id)).exists()


@pytest.mark.django_db
def test_deleting_an_audited_user_is_refused_by_django_before_the_trigger(world, audit_row):
    with pytest.raises(ProtectedError), transaction.atomic():
        world.admin.delete()
    assert AuditEvent.objects.filter(pk=audit_row.pk, actor=world.admin).exists()


@pytest.mark.django_db(transaction=True)
def test_truncate_still_empties_the_table_for_test_flushes(django_user_model):
    record_event(action=AuditAction.LOGIN_FAILED, object_type="user", object_id="1")
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE accounts_auditevent")
    assert AuditEvent.objects.count() == 0


def test_no_code_updates_or_deletes_audit_rows():
    root = Path(django_settings.BASE_DIR)
    pattern = re.compile(r"AuditEvent\.objects[^\n]*\.(update|delete|bulk_update|update_or_create)\(")
    offenders = [
        str(path.relative_to(root))
        for app in ("accounts", "clinic", "scheduling", "config")
        for path in (root / app).rglob("*.py")
        if "tests" not in path.parts and pattern.search(path.read_text())
    ]
    assert offenders == []


# A database outage is a JSON 503 under /api/.


def _database_down(execute, sql, params, many, context):
    raise OperationalError("server closed the connection unexpectedly")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/clients", "/api/v1/appointments", "/api/v1/clients/{id}"])
def test_a_database_outage_is_a_json_503(api, world, path):
    client = api(world.staff)
    with connection.execute_wrapper(_database_down):
        response = client.get(path.format(id=world.client.pk))
    assert response.status_code == 503
    assert response.json() == {
        "detail": "The service is temporarily unavailable; try again shortly.",
        "code": "service_unavailable",
    }
    assert response["Retry-After"] == "5"
    assert api(world.staff).get("/api/v1/clients").status_code == 200  # and back once it is up


def test_a_database_outage_outside_drf_is_a_json_503(rf):
    from config.errors import JsonErrorMiddleware

    middleware = JsonErrorMiddleware(lambda request: None)
    response = middleware.process_exception(rf.get("/api/v1/clients"), OperationalError("gone"))
    assert response.status_code == 503
    assert json.loads(response.content)["code"] == "service_unavailable"


# Found by schemathesis: datetimes PostgreSQL cannot take.


@pytest.mark.django_db
@pytest.mark.parametrize(
    "value,status",
    [
        ("1929-03-05T09:19:53-17:54", 200),  # an offset beyond PostgreSQL's ±15:59
        ("0001-01-01T00:00:00+05:00", 400),  # before year 1 once in UTC
        ("9999-12-31T23:59:59-05:00", 400),  # after year 9999 once in UTC
    ],
)
def test_appointment_date_filters_take_any_iso_offset(api, world, value, status):
    for name in ("date_from", "date_to"):
        response = api(world.staff).get("/api/v1/appointments", {name: value})
        assert response.status_code == status, response.content
        if status == 400:
            assert response.json()["code"] == "validation_error"
            assert name in response.json()["errors"]


# Found by schemathesis: input the schema refuses is refused, not reinterpreted.


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query,param",
    [
        ("limit=abc", "limit"),
        ("limit=0", "limit"),
        ("offset=-1", "offset"),
        ("offset=1&offset=2", "offset"),
        ("is_active=", "is_active"),
        ("is_active=null", "is_active"),
        ("role=admin&role=staff", "role"),
    ],
)
def test_bad_list_parameters_are_400(api, world, query, param):
    response = api(world.admin).get(f"/api/v1/users?{query}")
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert param in response.json()["errors"]


@pytest.mark.django_db
def test_a_limit_above_the_maximum_is_capped(api, world):
    response = api(world.admin).get("/api/v1/users?limit=500&is_active=true")
    assert response.status_code == 200
    assert response.json()["count"] == 6


@pytest.mark.django_db
@pytest.mark.parametrize("value", [0, 1.5, True])
def test_a_number_is_not_a_string(api, world, value):
    before = Client.objects.count()  # the world's own clients may be called Ann (random names)
    response = api(world.staff).post(
        "/api/v1/clients", {"first_name": "Ann", "last_name": "Lee", "notes": value}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"notes": ["Not a valid string."]}
    assert Client.objects.count() == before


@pytest.mark.django_db
def test_the_api_takes_json_and_login_also_its_oauth2_form(api, world):
    response = api(world.patient).patch("/api/v1/users/me", {"username": ""}, format="multipart")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    world.patient.refresh_from_db()
    assert world.patient.username != ""
    login = api().post("/api/v1/auth/login", {"username": world.patient.username, "password": PASSWORD})
    assert login.status_code == 200


@pytest.mark.django_db
def test_max_length_counts_the_string_as_sent(api, world):
    name = " " + "a" * 100  # 101 characters, 100 once trimmed
    response = api(world.staff).post(
        "/api/v1/clients", {"first_name": name, "last_name": "Lee"}, format="json"
    )
    assert response.status_code == 400
    assert "first_name" in response.json()["errors"]
    assert not Client.objects.filter(last_name="Lee").exists()
