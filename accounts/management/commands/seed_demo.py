from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Role, User

# Development-only demo accounts; production refuses to create them.
DEMO_PASSWORD = "demo-password-change-me"  # noqa: S105 (development demo only)
DEMO_USERS = [
    ("admin", "admin@clinic.localhost", "Demo Admin", Role.ADMIN),
    ("dr.house", "house@clinic.localhost", "Dr. Gregory House", Role.DOCTOR),
    ("dr.grey", "grey@clinic.localhost", "Dr. Meredith Grey", Role.DOCTOR),
    ("frontdesk", "frontdesk@clinic.localhost", "Pam Front Desk", Role.STAFF),
    ("patient", "patient@clinic.localhost", "Pat Patient", Role.PATIENT),
]


class Command(BaseCommand):
    help = "Create demo accounts (and demo records) for a development database."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="do nothing when any user exists")

    def handle(self, *args, if_empty=False, **options):
        if settings.IS_PRODUCTION:
            raise CommandError("seed_demo creates well-known passwords; it does not run in production.")
        if if_empty and User.objects.exists():
            self.stdout.write("demo data: database already has users, nothing seeded")
            return
        for username, email, full_name, role in DEMO_USERS:
            self._demo_user(username, email, full_name, role)
        self.stdout.write(
            self.style.SUCCESS(
                f"demo data created. Sign in at /admin/ as admin / {DEMO_PASSWORD} "
                f"(also dr.house, dr.grey, frontdesk, patient; same password)"
            )
        )

    @staticmethod
    def _demo_user(username, email, full_name, role):
        if User.objects.filter(username__iexact=username).exists():
            return
        is_admin = role == Role.ADMIN
        User.objects.create_user(
            username,
            email,
            DEMO_PASSWORD,
            full_name=full_name,
            role=role,
            is_staff=is_admin,
            is_superuser=is_admin,
        )
