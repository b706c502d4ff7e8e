"""`manage.py upgrade_check` (`make upgrade-check`, run by CI): fails when a
model change has no migration, or when a migration of the project's apps
would break the running version during a deploy or lock a large table
(django-migration-linter: a NOT NULL column without a default, a dropped or
renamed column, a changed column type, an index built without CONCURRENTLY,
...; its warnings count as errors). See README, "Operations runbook: upgrade".
"""

import logging
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

# Migrations reviewed when they were written, each with why it is safe to have run.
REVIEWED = {
    # Trigram and list-order indexes, built while the clinics' tables were small.
    "0003_client_search_indexes",
    "0004_list_order_indexes",
    # `reason` became an encrypted text column in one step, before any deployment.
    "0005_appointment_reason_encrypted",
    # Widens auditevent.action from varchar(16) to 32 (no rewrite in PostgreSQL;
    # the old version writes shorter values); `mfa_enabled` has a database default.
    "0008_second_factor",
}


def project_apps() -> list[str]:
    """The apps whose code is in this repository (not the libraries')."""
    root = Path(settings.BASE_DIR).resolve()
    return [
        config.label
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(root) and ".venv" not in Path(config.path).parts
    ]


class Command(BaseCommand):
    help = "Fail on a missing migration or one that is unsafe to apply while the old version serves."

    def handle(self, *args, **options):
        from django_migration_linter import MigrationLinter  # a development tool (requirements-dev.txt)

        try:
            call_command("makemigrations", "--check", "--dry-run", verbosity=1, stdout=self.stdout)
        except SystemExit as missing:
            raise CommandError("models changed without a migration: run makemigrations") from missing
        logging.getLogger("django_migration_linter").setLevel(logging.WARNING)
        linter = MigrationLinter(
            include_apps=project_apps(), ignore_name=REVIEWED, no_cache=True, all_warnings_as_errors=True
        )
        linter.lint_all_migrations()
        linter.print_summary()
        if linter.has_errors:
            raise CommandError("a migration is unsafe to apply while the old version serves (see above)")
        self.stdout.write(self.style.SUCCESS("upgrade check: migrations complete and safe"))
