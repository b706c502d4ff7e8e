"""`manage.py upgrade_check` (make upgrade-check, in CI) passes on the project's
migrations and fails on a missing migration or an unsafe one."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command

from config.tests.live import child_database_url


def upgrade_check(**env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "upgrade_check"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DATABASE_URL": child_database_url(), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.django_db
def test_the_projects_migrations_are_complete_and_safe(capsys):
    call_command("upgrade_check")
    out = capsys.readouterr().out
    assert "No changes detected" in out
    assert "Erroneous migrations: 0/" in out and "Migrations with warnings: 0/" in out


def test_a_not_null_column_without_a_default_fails_the_check():
    result = upgrade_check(DJANGO_SETTINGS_MODULE="config.tests.upgrade_settings")
    assert result.returncode == 1
    assert "(unsafe_migration, 0002_sample_size)... ERR" in result.stdout
    assert "NOT NULL constraint on columns" in result.stdout
    assert "a migration is unsafe to apply while the old version serves" in result.stderr


def test_a_model_change_without_its_migration_fails_the_check():
    result = upgrade_check(
        DJANGO_SETTINGS_MODULE="config.tests.upgrade_settings", UNSAFE_SAMPLE_UNMIGRATED="1"
    )
    assert result.returncode == 1
    assert "Add field colour to sample" in result.stdout
    assert "models changed without a migration: run makemigrations" in result.stderr
