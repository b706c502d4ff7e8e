from accounts.models import Role, User


def active_doctors():
    """Doctors who can be booked, by name."""
    return User.objects.filter(role=Role.DOCTOR, is_active=True, is_superuser=False).order_by(
        "full_name", "id"
    )
