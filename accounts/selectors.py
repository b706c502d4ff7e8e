from accounts.models import Role, User
from clinic.models import Client


def active_doctors():
    """Doctors who can be booked, by name."""
    return User.objects.filter(role=Role.DOCTOR, is_active=True, is_superuser=False).order_by(
        "full_name", "id"
    )


def own_client_id(user: User) -> int | None:
    """The id of a patient's own client record (the one they book with); None
    for every other role, or when the record is archived or unlinked."""
    if not user.is_patient:
        return None
    return Client.objects.visible_to(user).values_list("pk", flat=True).first()
