"""Who may do what with the waitlist (API.md, "Waitlist"); which entries a
caller sees is the queryset's business (as client records: others' are 404)."""

from rest_framework.permissions import BasePermission


class WaitlistPermission(BasePermission):
    """Everyone signed in reads what they may; staff, admins and patients
    (their own record) add and remove entries; doctors only read."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if view.action in ("list", "retrieve"):
            return True
        return user.is_clinic_staff or user.is_patient
