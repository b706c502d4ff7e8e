"""Who may change which fields of a client record (API.md, "Clients").

Whether a record is yours at all is decided by `Client.objects.visible_to`
in the viewset's queryset, so a stranger's record is a 404 before any of this."""

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

DOCTOR_EDITABLE_FIELDS = frozenset({"medical_history", "notes"})
PATIENT_EDITABLE_FIELDS = frozenset({"phone", "address", "email", "language"})


def client_fields_editable_by(user, writable: frozenset[str]) -> frozenset[str]:
    """The fields among `writable` that `user` may change on a record they can see."""
    if user.is_clinic_staff:
        return writable
    if user.is_doctor:
        return writable & DOCTOR_EDITABLE_FIELDS
    if user.is_patient:
        return writable & PATIENT_EDITABLE_FIELDS
    return frozenset()


class MayChangeTheseClientFields(BasePermission):
    """A PATCH naming a field the caller may not change is refused whole (403,
    nothing saved); the message names the fields, never their values."""

    message = _("You may not change these fields.")

    def has_object_permission(self, request, view, obj):
        if not isinstance(request.data, Mapping):
            return True  # not a field mapping: the serializer answers 400
        serializer_fields = view.get_serializer().fields
        writable = frozenset(name for name, field in serializer_fields.items() if not field.read_only)
        sent = writable & set(request.data)
        forbidden = sent - client_fields_editable_by(request.user, writable)
        if forbidden:
            self.message = _("You may not change these fields: %(fields)s.") % {
                "fields": ", ".join(sorted(forbidden))
            }
        return not forbidden
