from accounts.models import User


def own_client_id(user: User) -> int | None:
    """The id of a patient's own client record (the one they book with); None
    for every other role, or when the record is archived or unlinked."""
    if not user.is_patient:
        return None
    # Client is clinic's (the app above): reached through the `client` relation
    # its Client.user declares, so accounts imports nothing from clinic.
    clients = User._meta.get_field("client").related_model.objects
    return clients.visible_to(user).values_list("pk", flat=True).first()
