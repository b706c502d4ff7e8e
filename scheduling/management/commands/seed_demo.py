import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.audit import record_event
from accounts.models import AuditAction
from scheduling import demo_data

# Every account seed_demo makes has an address here: any other is somebody's.
DEMO_EMAIL_DOMAIN = "@clinic.localhost"


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
        real = users.exclude(email__iendswith=DEMO_EMAIL_DOMAIN).count()
        if real and not force:
            raise CommandError(
                f"seed_demo refused: the database holds {real} account(s) that are not demo ones (a copy of "
                "real data?); it would add an admin with a well-known password. Use --force to seed anyway."
            )
        started = time.monotonic()
        with transaction.atomic():
            last_pk = users.order_by("-pk").values_list("pk", flat=True).first() or 0
            created = demo_data.seed(doctors=doctors, clients=clients, appointments=appointments)
            audit_seed(users.filter(pk__gt=last_pk), created)
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


def audit_seed(new_users, created: dict[str, int]) -> None:
    """One `create` event per account made (who can sign in with the demo
    password), one per bulk-loaded table with its count as the id."""
    for user in new_users:
        record_event(action=AuditAction.CREATE, obj=user, fields=["role", "password"])
    for table in ("clients", "appointments"):
        if created.get(table):
            record_event(
                action=AuditAction.CREATE, object_type=f"seed_demo:{table}", object_id=created[table]
            )
