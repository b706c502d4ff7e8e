"""Admin access by role: one auth Group per signing-in role, holding the model
permissions that role has in the Django admin, and a user's groups and
`is_staff` kept in step with their `role`.

The groups are created (and their permissions reset) after every `migrate`
(`AccountsConfig.ready` connects `ensure_role_groups` to `post_migrate`).
`accounts.services` calls `apply_role` whenever a user is saved, so a role
change or a new account lands in the right group. Which *records* a role may
see is still decided by the querysets (`visible_to`) in each ModelAdmin: a
permission here only opens the model's pages."""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from accounts.models import Role

# Role -> {"app_label.model": actions}. Admins get every permission.
ROLE_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    Role.STAFF: {
        "clinic.client": ("view", "add", "change"),
        "scheduling.appointment": ("view", "add", "change"),
        "scheduling.workinghours": ("view", "add", "change", "delete"),
        "scheduling.timeoff": ("view", "add", "change", "delete"),
        "scheduling.reminder": ("view",),
        # Removing and "Offer now" go with adding (the admin's own checks): entries are never deleted.
        "scheduling.waitlistentry": ("view", "add"),
        "scheduling.waitlistoffer": ("view",),  # an entry's offers, on its page
        "accounts.user": ("view",),  # doctors to pick when booking (autocomplete)
    },
    Role.DOCTOR: {
        "clinic.client": ("view", "change"),  # medical_history and notes only
        "scheduling.appointment": ("view", "change"),  # notes and status actions only
        "scheduling.workinghours": ("view", "add", "change", "delete"),
        "scheduling.timeoff": ("view", "add", "change", "delete"),
        "scheduling.waitlistentry": ("view",),  # their patients' entries; offers are not theirs to see
    },
}
ADMIN_ROLES = (Role.ADMIN, Role.STAFF, Role.DOCTOR)  # may sign in to the admin


def _permissions_for(role: str):
    if role == Role.ADMIN:
        return Permission.objects.all()
    query = Q(pk__in=[])
    for model, actions in ROLE_PERMISSIONS[role].items():
        app_label, model_name = model.split(".")
        codenames = [f"{action}_{model_name}" for action in actions]
        query |= Q(content_type__app_label=app_label, content_type__model=model_name, codename__in=codenames)
    return Permission.objects.filter(query)


def ensure_role_groups() -> dict[str, Group]:
    """Create the `admin`, `staff` and `doctor` groups and set their permissions."""
    groups = {}
    for role in ADMIN_ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(_permissions_for(role))
        groups[role] = group
    return groups


def apply_role_flags(user) -> None:
    """Set `is_staff` from the role (before saving). Patients never sign in to
    the admin; a superuser keeps its access whatever its role."""
    user.is_staff = user.is_superuser or user.role in ADMIN_ROLES


def sync_groups(user) -> None:
    """Put a saved user in exactly their role's group (other groups stay)."""
    role_groups = Group.objects.filter(name__in=ADMIN_ROLES)
    user.groups.remove(*[group for group in role_groups if group.name != user.role])
    if user.role in ADMIN_ROLES:
        group = next((group for group in role_groups if group.name == user.role), None)
        if group is None:
            group = ensure_role_groups()[user.role]
        user.groups.add(group)


def add_to_role_group(users, role: str) -> None:
    """Put users created in bulk (saved, all of `role`, in no group yet) in
    their role's group, in one query."""
    group = ensure_role_groups()[role]
    membership = type(group).user_set.through
    membership.objects.bulk_create(membership(user_id=user.pk, group_id=group.pk) for user in users)


def apply_role(user) -> None:
    """Bring a saved user's `is_staff` and groups in line with their role."""
    before = user.is_staff
    apply_role_flags(user)
    if user.is_staff != before:
        type(user).objects.filter(pk=user.pk).update(is_staff=user.is_staff)
    sync_groups(user)


def on_post_migrate(sender, using="default", **kwargs) -> None:
    """After `migrate`: every app's permissions exist, then the role groups get
    them, and existing users are put in their role's group."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.contenttypes.management import create_contenttypes

    for app_config in apps.get_app_configs():
        create_contenttypes(app_config, verbosity=0, using=using)
        create_permissions(app_config, verbosity=0, using=using)
    ensure_role_groups()
    from accounts.models import User

    for role in ADMIN_ROLES:
        for user in User.objects.filter(role=role).exclude(groups__name=role):
            apply_role(user)
    User.objects.filter(role=Role.PATIENT, is_superuser=False, is_staff=True).update(is_staff=False)
