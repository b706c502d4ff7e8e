"""A field key dropped too early: `check --database default` (and the start
of every web worker) names the column, and an API read of such a value is a
clear, logged JSON error that never shows or logs the value."""

import logging

import pytest
from cryptography.fernet import Fernet
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from config.checks import log_field_key_errors

pytestmark = pytest.mark.django_db

HISTORY = "No known allergies."


@pytest.fixture
def old_key_dropped(world, settings):
    """Every stored value was written under a key no longer in the list."""
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]


def key_errors():
    return [error for error in run_checks(databases=["default"]) if error.id == "config.E008"]


def test_the_check_names_each_column_whose_key_is_missing(old_key_dropped):
    messages = {error.msg for error in key_errors()}
    assert (
        "clinic_client.medical_history: 2 of 2 sampled values cannot be decrypted with "
        "FIELD_ENCRYPTION_KEYS; the key that wrote them is missing."
    ) in messages
    assert any(message.startswith("clinic_client.notes: 2 of 2 ") for message in messages)
    assert all(HISTORY not in message for message in messages)


def test_the_check_passes_while_the_old_key_is_still_listed(world, settings):
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *settings.FIELD_ENCRYPTION_KEYS]
    assert key_errors() == []


def test_the_check_needs_a_database_and_passes_an_empty_one(settings):
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    assert key_errors() == []
    assert [error for error in run_checks() if error.id == "config.E008"] == []


def test_a_web_worker_logs_the_missing_key_at_start(old_key_dropped, caplog):
    with caplog.at_level(logging.ERROR, logger="config.checks"):
        log_field_key_errors()
    assert any("clinic_client.medical_history: 2 of 2" in record.getMessage() for record in caplog.records)
    assert HISTORY not in caplog.text


def test_reading_an_undecryptable_value_is_a_clear_logged_json_error(api, world, old_key_dropped, caplog):
    with caplog.at_level(logging.ERROR):
        response = api(world.admin).get(f"/api/v1/clients/{world.client.pk}")
    assert response.status_code == 500
    assert response.json() == {
        "detail": "A stored value cannot be decrypted: an encryption key is missing.",
        "code": "key_missing",
    }
    logged = [record for record in caplog.records if getattr(record, "column", None)]
    assert logged and logged[0].column == "clinic_client.medical_history"
    assert HISTORY not in caplog.text
    assert all(HISTORY not in str(vars(record)) for record in caplog.records)


def test_migrate_stops_on_the_missing_key(old_key_dropped):
    with pytest.raises(SystemCheckError, match=r"clinic_client\.medical_history"):
        call_command("migrate", "--check", skip_checks=False, verbosity=0)
