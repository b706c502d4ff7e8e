"""Who may do what with appointments and a doctor's schedule (API.md's tables).
Which appointments a caller sees is the queryset's business (others' are 404)."""

from rest_framework.permissions import BasePermission

from scheduling.services import EDITABLE_FIELDS

# Actions a doctor may take on their own appointments; patients only cancel.
CLINICIAN_ACTIONS = {"confirm", "check_in", "complete", "cancel", "no_show"}
DOCTOR_EDITABLE_FIELDS = frozenset({"notes"})


def appointment_fields_editable_by(user) -> tuple[str, ...]:
    """The fields of an appointment they can see that `user` may change (API PATCH
    and admin form alike): admin and staff all of EDITABLE_FIELDS, a doctor the notes."""
    if user.is_clinic_staff:
        return EDITABLE_FIELDS
    if user.is_doctor:
        return tuple(name for name in EDITABLE_FIELDS if name in DOCTOR_EDITABLE_FIELDS)
    return ()


class AppointmentPermission(BasePermission):
    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if user.is_clinic_staff:
            return view.action != "destroy" or user.is_admin
        if view.action in ("list", "retrieve", "calendar"):
            return user.is_doctor or user.is_patient
        if view.action == "create":
            return user.is_patient
        if view.action == "partial_update":
            return user.is_doctor
        if view.action in CLINICIAN_ACTIONS:
            return user.is_doctor or (user.is_patient and view.action == "cancel")
        return False


class ManagesDoctorSchedule(BasePermission):
    """Admin, staff, or the doctor whose schedule it is."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return user.is_clinic_staff or (user.is_doctor and str(user.pk) == str(view.kwargs["doctor_id"]))
