"""Who sees what in the scheduling admin: a doctor their own rows, staff and
admins every doctor's (the API's rule, accounts.admin_access)."""

from accounts.admin_access import ClinicianAdminMixin


class ScopedToDoctorMixin(ClinicianAdminMixin):
    """Records by role, as in the API: admin and staff all, a doctor their own
    (`doctor_field`), anyone else nothing."""

    doctor_field = "doctor"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        user = request.user
        if user.is_clinic_staff:
            return queryset
        if user.is_doctor:
            return queryset.filter(**{self.doctor_field: user})
        return queryset.none()


def doctor_choices(request, field, kwargs):
    """A doctor field offers active doctors; a doctor picks only themself."""
    user = request.user
    doctors = field.related_model.objects
    kwargs["queryset"] = doctors.filter(pk=user.pk) if user.is_doctor else doctors.active_doctors()
    return kwargs
