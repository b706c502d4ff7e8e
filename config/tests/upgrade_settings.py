"""The project's settings plus the sample app with an unsafe migration
(config/tests/test_upgrade_check.py runs `upgrade_check` with them)."""

from config.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "config.tests.unsafe_migration"]  # noqa: F405
