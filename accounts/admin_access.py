class ClinicianAdminMixin:
    """An admin page for people who work at the clinic (admin, staff, doctor).
    The model permissions of their role group (accounts.roles) still decide
    what they may do; patients never get in."""

    def _role_may(self, request) -> bool:
        user = request.user
        return user.is_active and (user.is_clinic_staff or user.is_doctor)

    def has_module_permission(self, request):
        return self._role_may(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._role_may(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return self._role_may(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self._role_may(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._role_may(request) and super().has_delete_permission(request, obj)
