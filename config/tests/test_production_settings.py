"""Production refuses development secrets; with real ones the deploy checks pass."""

import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.conf import settings

REAL = {
    "SECRET_KEY": "a-real-secret-" + "x" * 50,
    "TOKEN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "ALLOWED_HOSTS": "clinic.example.org",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
}


def run_django(env_overrides: dict, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_ENV": "production", **env_overrides}
    for name in ("SECRET_KEY", "TOKEN_ENCRYPTION_KEYS", "FIELD_ENCRYPTION_KEYS"):
        if env_overrides.get(name) is None:
            env.pop(name, None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        env={k: v for k, v in env.items() if v is not None},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )


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
