"""The accounts step of seed_demo (config/demo.py): the named demo accounts,
created through `services.create_user` like any account (so their role sets
their admin access and group), and as many numbered doctors as asked."""

from django.contrib.auth.hashers import make_password

from accounts import roles, services
from accounts.audit import record_event
from accounts.models import AuditAction, Role, User
from config.demo import DEMO_EMAIL_DOMAIN, DEMO_PASSWORD, DemoRun, demo_name

DEMO_USERS = [
    ("admin", "Demo Admin", Role.ADMIN),
    ("dr.house", "Dr. Gregory House", Role.DOCTOR),
    ("dr.grey", "Dr. Meredith Grey", Role.DOCTOR),
    ("frontdesk", "Pam Front Desk", Role.STAFF),
    ("patient", "Pat Patient", Role.PATIENT),
]
DEMO_EMAILS = {"dr.house": "house", "dr.grey": "grey"}  # the others' address is their username


def seed_accounts(run: DemoRun) -> None:
    made = [create_demo_user(*entry) for entry in DEMO_USERS if not _exists(entry[0])]
    made += create_doctors(run.doctors)
    for user in made:
        record_event(action=AuditAction.CREATE, obj=user, fields=["role", "password"])
    run.created["users"] = len(made)
    run.doctor_ids = list(User.objects.active_doctors().order_by("id").values_list("id", flat=True))


def _exists(username: str) -> bool:
    return User.objects.filter(username__iexact=username).exists()


def create_demo_user(username: str, full_name: str, role: str) -> User:
    email = f"{DEMO_EMAILS.get(username, username)}{DEMO_EMAIL_DOMAIN}"
    user = services.create_user(
        email=email, username=username, password=DEMO_PASSWORD, full_name=full_name, role=role
    )
    if role == Role.ADMIN:
        user.is_superuser = True
        user.save(update_fields=["is_superuser"])
    return user


def create_doctors(total: int) -> list[User]:
    """Doctors up to `total`, in bulk (benchmarks ask for thousands), each in the
    doctor group with admin access, as `create_user` would leave them."""
    missing = max(0, total - User.objects.active_doctors().count())
    start = User.objects.count()
    password = make_password(DEMO_PASSWORD)
    doctors = User.objects.bulk_create(
        User(
            username=f"doctor{start + n}",
            email=f"doctor{start + n}{DEMO_EMAIL_DOMAIN}",
            full_name=f"Dr. {demo_name(start + n)}",
            role=Role.DOCTOR,
            password=password,
            is_staff=True,
        )
        for n in range(missing)
    )
    roles.add_to_role_group(doctors, Role.DOCTOR)
    return doctors
