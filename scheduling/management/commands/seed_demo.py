import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from scheduling import demo_data


class Command(BaseCommand):
    help = "Demo accounts and demo records; at scale for benchmarks (bulk COPY)."

    def add_arguments(self, parser):
        parser.add_argument("--doctors", type=int, default=5)
        parser.add_argument("--clients", type=int, default=200)
        parser.add_argument("--appointments", type=int, default=1000)
        parser.add_argument("--if-empty", action="store_true", help="do nothing when any user exists")

    def handle(self, *args, doctors, clients, appointments, if_empty=False, **options):
        if settings.IS_PRODUCTION:
            raise CommandError("seed_demo creates well-known passwords; it does not run in production.")
        if if_empty and get_user_model().objects.exists():
            self.stdout.write("demo data: the database already has users, nothing seeded")
            return
        started = time.monotonic()
        created = demo_data.seed(doctors=doctors, clients=clients, appointments=appointments)
        took = time.monotonic() - started
        summary = ", ".join(f"{count} {what}" for what, count in created.items())
        self.stdout.write(self.style.SUCCESS(f"demo data: created {summary} in {took:.1f} s"))
        if created["users"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Sign in at /admin/ as admin / {demo_data.DEMO_PASSWORD} "
                    "(also dr.house, dr.grey, frontdesk, patient; same password)"
                )
            )
