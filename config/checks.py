"""Deploy checks for what `manage.py check --deploy` does not cover
(registered with Django's check framework; `config.apps` imports this module).

Run in production images with `python manage.py check --deploy --fail-level ERROR`.
"""

import logging

from django.apps import apps
from django.conf import settings
from django.core.checks import Error, Tags, register

logger = logging.getLogger(__name__)

DEV_KEYS = {
    "TOKEN_ENCRYPTION_KEYS": ("config.E002", "DEV_TOKEN_KEY"),
    "FIELD_ENCRYPTION_KEYS": ("config.E003", "DEV_FIELD_KEY"),
}


def _dev_value(name: str) -> str:
    from config import settings as project_settings

    return getattr(project_settings, name)


@register(Tags.security, deploy=True)
def token_blacklist_installed(app_configs=None, **kwargs):
    if apps.is_installed("rest_framework_simplejwt.token_blacklist"):
        return []
    return [
        Error(
            "rest_framework_simplejwt.token_blacklist is not installed: refresh rotation and logout "
            "cannot refuse used tokens.",
            hint="Add 'rest_framework_simplejwt.token_blacklist' to INSTALLED_APPS.",
            id="config.E001",
        )
    ]


@register(Tags.security, deploy=True)
def keys_are_not_development_ones(app_configs=None, **kwargs):
    errors = []
    for setting, (check_id, dev_name) in DEV_KEYS.items():
        keys = getattr(settings, setting, [])
        if not keys or _dev_value(dev_name) in keys:
            errors.append(
                Error(
                    f"{setting} is empty or holds the development key.",
                    hint=f"Generate keys with Fernet.generate_key() and set {setting}.",
                    id=check_id,
                )
            )
    if _dev_value("DEV_SECRET_KEY") == settings.SECRET_KEY:
        errors.append(Error("SECRET_KEY is the development one.", id="config.E006"))
    return errors


@register(Tags.security, deploy=True)
def cors_is_not_allow_all(app_configs=None, **kwargs):
    origins = getattr(settings, "CORS_ALLOWED_ORIGINS", [])
    if getattr(settings, "CORS_ALLOW_ALL_ORIGINS", False) or "*" in origins:
        return [
            Error(
                "CORS allows every origin: any site could call the API with a user's token.",
                hint="Unset CORS_ALLOW_ALL_ORIGINS and list the frontends in CORS_ALLOWED_ORIGINS.",
                id="config.E004",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def debug_is_off(app_configs=None, **kwargs):
    if settings.DEBUG:
        return [Error("DEBUG is on.", hint="Set DEBUG=false (DJANGO_ENV=production does).", id="config.E005")]
    return []


UNDELIVERED_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
}


@register(Tags.security, deploy=True)
def email_is_delivered(app_configs=None, **kwargs):
    """The console backend writes patients' names and visit times to the logs,
    and every one of these marks reminders sent that nobody receives."""
    if settings.EMAIL_BACKEND in UNDELIVERED_EMAIL_BACKENDS:
        return [
            Error(
                f"EMAIL_BACKEND is {settings.EMAIL_BACKEND}: mail is not delivered (console and file "
                "backends write patients' data to logs or disk).",
                hint="Set EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and EMAIL_HOST.",
                id="config.E007",
            )
        ]
    return []


FIELD_KEY_SAMPLE = 20


@register(Tags.database)
def field_keys_open_stored_values(app_configs=None, databases=None, **kwargs):
    """Decrypt the newest values of every encrypted column: a key dropped from
    FIELD_ENCRYPTION_KEYS too early would turn each read of them into an error.
    Runs with `check --database default`, before `migrate`, and at start."""
    if not databases:
        return []
    from django.db import DatabaseError, connections

    from config.encryption import encrypted_model_fields

    errors = []
    for alias in databases:
        try:
            columns = _encrypted_columns_present(connections[alias], encrypted_model_fields())
        except DatabaseError:
            continue  # unreachable: the probes and the other checks say so
        for model, name in columns:
            failed, sampled = _undecryptable_sample(model, name, alias)
            if failed:
                column = f"{model._meta.db_table}.{model._meta.get_field(name).column}"
                errors.append(_missing_key_error(column, failed, sampled))
    return errors


def _encrypted_columns_present(connection, encrypted) -> list[tuple]:
    """(model, field name) of each encrypted column the database has: before
    `migrate` (which runs this check first) some are not there yet."""
    introspection = connection.introspection
    present = []
    with connection.cursor() as cursor:
        tables = set(introspection.table_names(cursor))
        for model, names in encrypted:
            if model._meta.db_table not in tables:
                continue
            description = introspection.get_table_description(cursor, model._meta.db_table)
            columns = {column.name for column in description}
            present += [(model, name) for name in names if model._meta.get_field(name).column in columns]
    return present


def _undecryptable_sample(model, name: str, alias: str) -> tuple[int, int]:
    """(values that no key opens, values tried) among the column's newest."""
    from django.db import models
    from django.db.models.functions import Cast

    from config.crypto import InvalidToken, field_fernet

    rows = model._base_manager.using(alias).annotate(raw=Cast(name, output_field=models.TextField()))
    newest = rows.order_by("-pk").values_list("raw", flat=True)[:FIELD_KEY_SAMPLE]
    sample = [token for token in newest if token]
    failed = 0
    for token in sample:
        try:
            field_fernet().decrypt(token.encode())
        except InvalidToken:
            failed += 1
    return failed, len(sample)


def _missing_key_error(column: str, failed: int, sampled: int) -> Error:
    return Error(
        f"{column}: {failed} of {sampled} sampled values cannot be decrypted with "
        "FIELD_ENCRYPTION_KEYS; the key that wrote them is missing.",
        hint="Put the old key back at the end of FIELD_ENCRYPTION_KEYS, run `manage.py rotate_field_keys`, "
        "and drop the old key only once no row is left under it.",
        id="config.E008",
    )


def log_field_key_errors() -> None:
    """At a web worker's start (config/gunicorn.py): log what `field_keys_open_stored_values`
    finds. Serving goes on: rows written under the current key still read."""
    from django.db import DatabaseError, connections

    try:
        errors = field_keys_open_stored_values(databases=["default"])
    except DatabaseError:
        return  # the database is down: /health/db says so
    finally:
        connections.close_all()
    for error in errors:
        logger.error(error.msg, extra={"check": error.id})
