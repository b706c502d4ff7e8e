"""Production refuses an email backend that does not deliver: the console one
(the default and `.env.example`'s) puts patients' data in the logs and marks
reminders sent that nobody receives."""

import pytest
from django.core.checks import Tags, run_checks

from config.tests.live import REAL, run_django


def deploy_check_ids() -> set[str]:
    return {error.id for error in run_checks(include_deployment_checks=True, tags=[Tags.security])}


@pytest.mark.parametrize("backend", ["console", "locmem", "dummy", "filebased"])
def test_an_undelivering_email_backend_fails_the_deploy_check(settings, backend):
    settings.EMAIL_BACKEND = f"django.core.mail.backends.{backend}.EmailBackend"
    assert "config.E007" in deploy_check_ids()


def test_smtp_passes_the_email_deploy_check(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    assert "config.E007" not in deploy_check_ids()


def test_the_email_check_is_deploy_only(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    assert "config.E007" not in {error.id for error in run_checks(tags=[Tags.security])}


def test_production_with_the_default_email_backend_fails_check_deploy():
    result = run_django({**REAL, "EMAIL_BACKEND": None}, "check", "--deploy", "--fail-level", "ERROR")
    assert result.returncode == 1
    assert "config.E007" in result.stderr
    assert "console.EmailBackend" in result.stderr
