"""Role checks as small DRF permission classes. Scoping ("is this record
yours") lives in querysets, so a record you may not see is a 404."""

from rest_framework.permissions import BasePermission


class _RolePermission(BasePermission):
    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and self.allows(user))

    def allows(self, user) -> bool:
        raise NotImplementedError


class IsAdmin(_RolePermission):
    def allows(self, user):
        return user.is_admin


class IsStaffOrAdmin(_RolePermission):
    def allows(self, user):
        return user.is_clinic_staff


class IsDoctor(_RolePermission):
    def allows(self, user):
        return user.is_doctor


class IsPatient(_RolePermission):
    def allows(self, user):
        return user.is_patient


class IsClinician(_RolePermission):
    """Admin, staff or doctor: anyone who works at the clinic."""

    def allows(self, user):
        return user.is_clinic_staff or user.is_doctor
