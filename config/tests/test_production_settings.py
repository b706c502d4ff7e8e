"""Production refuses development secrets; with real ones the deploy checks pass."""

import pytest
from cryptography.fernet import Fernet
from django.conf import settings

from config.tests.live import REAL, run_django


@pytest.mark.parametrize("name", ["SECRET_KEY", "TOKEN_ENCRYPTION_KEYS", "FIELD_ENCRYPTION_KEYS"])
def test_production_refuses_a_missing_secret(name):
    result = run_django({**REAL, name: None}, "check")
    assert result.returncode == 1
    assert result.stderr == f"error: {name} must be set to a real secret when DJANGO_ENV=production\n"


@pytest.mark.parametrize(
    ("name", "dev_value"),
    [
        ("SECRET_KEY", settings.DEV_SECRET_KEY),
        ("TOKEN_ENCRYPTION_KEYS", f"{Fernet.generate_key().decode()},{settings.DEV_TOKEN_KEY}"),
        ("FIELD_ENCRYPTION_KEYS", settings.DEV_FIELD_KEY),
    ],
)
def test_production_refuses_a_development_secret(name, dev_value):
    result = run_django({**REAL, name: dev_value}, "check")
    assert result.returncode != 0
    assert f"{name} must" in result.stderr


def test_production_with_real_secrets_passes_deploy_checks():
    result = run_django(REAL, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
