from accounts.models import Role, User


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
    # Client is clinic's (the app above): reached through the `client` relation
    # its Client.user declares, so accounts imports nothing from clinic.
    clients = User._meta.get_field("client").related_model.objects
    return clients.visible_to(user).values_list("pk", flat=True).first()
