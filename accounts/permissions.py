"""Role checks as small DRF permission classes. Scoping ("is this record
yours") lives in querysets, so a record you may not see is a 404."""

from rest_framework.permissions import BasePermission


def _signed_in(request) -> bool:
    return bool(request.user and request.user.is_authenticated)


class IsAdmin(BasePermission):
    def has_permission(self, request, view):
        return _signed_in(request) and request.user.is_admin


class IsStaffOrAdmin(BasePermission):
    def has_permission(self, request, view):
        return _signed_in(request) and request.user.is_clinic_staff


class IsClinician(BasePermission):
    """Admin, staff or doctor: anyone who works at the clinic."""

    def has_permission(self, request, view):
        return _signed_in(request) and (request.user.is_clinic_staff or request.user.is_doctor)
