from accounts.models import User
from clinic.models import Client


def own_client_id(user: User) -> int | None:
    """The id of a patient's own client record (the one they book with); None
    for every other role, or when the record is archived or unlinked."""
    if not user.is_patient:
        return None
    return Client.objects.visible_to(user).values_list("pk", flat=True).first()
