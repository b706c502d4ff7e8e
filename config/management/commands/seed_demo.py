"""`manage.py seed_demo`: demo accounts and records (the steps each app
registers with config/demo.py); at scale for benchmarks."""

import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from config import demo


class Command(BaseCommand):
    help = "Demo accounts and demo records; at scale for benchmarks (bulk COPY)."

    def add_arguments(self, parser):
        parser.add_argument("--doctors", type=int, default=5)
        parser.add_argument("--clients", type=int, default=200)
        parser.add_argument("--appointments", type=int, default=1000)
        parser.add_argument("--if-empty", action="store_true", help="do nothing when any user exists")
        parser.add_argument(
            "--force",
            action="store_true",
            help="seed even when the database holds accounts that are not demo ones",
        )

    def handle(self, *args, doctors, clients, appointments, if_empty=False, force=False, **options):
        if settings.IS_PRODUCTION:
            raise CommandError("seed_demo creates well-known passwords; it does not run in production.")
        users = get_user_model().objects
        if if_empty and users.exists():
            self.stdout.write("demo data: the database already has users, nothing seeded")
            return
        real = users.exclude(email__iendswith=demo.DEMO_EMAIL_DOMAIN).count()
        if real and not force:
            raise CommandError(
                f"seed_demo refused: the database holds {real} account(s) that are not demo ones (a copy of "
                "real data?); it would add an admin with a well-known password. Use --force to seed anyway."
            )
        started = time.monotonic()
        run = demo.seed(doctors=doctors, clients=clients, appointments=appointments)
        took = time.monotonic() - started
        summary = ", ".join(f"{count} {what}" for what, count in run.created.items())
        self.stdout.write(self.style.SUCCESS(f"demo data: created {summary} in {took:.1f} s"))
        for note in run.notes:
            self.stdout.write(f"demo data: {note}")
        if run.created.get("users"):
            self.stdout.write(
                self.style.SUCCESS(
                    f"Sign in at /admin/ as admin / {demo.DEMO_PASSWORD} "
                    "(also dr.house, dr.grey, frontdesk, patient; same password)"
                )
            )
