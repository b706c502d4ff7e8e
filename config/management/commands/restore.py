"""`manage.py restore DIR` (`make restore FROM=DIR`): a backup into the
configured database and documents folder, then the reminder queue rebuilt
from the rows and the field keys checked against the restored records."""

from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from config import backup
from config.checks import field_keys_open_stored_values


class Command(BaseCommand):
    help = "Restore a backup made by `manage.py backup` (replaces the database's objects)."

    def add_arguments(self, parser):
        parser.add_argument("source", help="a folder made by manage.py backup")

    def handle(self, *args, source, **options):
        folder = Path(source)
        if not (folder / backup.DUMP).exists():
            raise CommandError(f"{folder} holds no {backup.DUMP}: not a backup folder")
        backup.restore(folder)
        self.stdout.write(f"restore: database and documents loaded from {folder}")
        errors = field_keys_open_stored_values(databases=["default"])
        for error in errors:
            self.stderr.write(f"{error.id}: {error.msg}")
        call_command("reconcile_reminders", stdout=self.stdout)
        if errors:
            raise CommandError("restored, but the field keys do not open the records: restore the keys too")
        self.stdout.write(self.style.SUCCESS("restore: done; the keys open the restored records"))
