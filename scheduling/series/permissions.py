"""Who may do what with a series (API.md, "Recurring series"); which series a
caller sees is the queryset's business (others' are 404)."""

from rest_framework.permissions import BasePermission

READ_ACTIONS = ("list", "retrieve")


class SeriesPermission(BasePermission):
    """Admins, staff and doctors book and cancel series; patients read their own."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if view.action in READ_ACTIONS:
            return user.is_clinic_staff or user.is_doctor or user.is_patient
        return user.is_clinic_staff or user.is_doctor


def may_book_series_with(user, doctor) -> bool:
    """Staff and admins for any doctor, a doctor for themselves only."""
    return user.is_clinic_staff or (user.is_doctor and doctor.pk == user.pk)
