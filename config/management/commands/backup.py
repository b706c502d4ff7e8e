"""`manage.py backup` (`make backup`): the database and the documents into a
new dated folder; the keys are backed up apart (config/backup.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand

from config import backup


class Command(BaseCommand):
    help = "Back up the database (pg_dump -Fc) and the documents into a dated folder."

    def add_arguments(self, parser):
        parser.add_argument("--output", default="backups", help="where the dated folders go")
        parser.add_argument("--keep", type=int, default=None, help="keep only the newest N backups")

    def handle(self, *args, output, keep, **options):
        target = backup.back_up(Path(output), keep=keep)
        self.stdout.write(self.style.SUCCESS(f"backup: {target} (keys are not in it: back them up apart)"))
