"""Who sees which scheduling rows: one rule for appointments and their series."""

from django.db import models


class DoctorAndClientScoped(models.QuerySet):
    """Rows with a `doctor` and a `client`."""

    def visible_to(self, user):
        """Staff and admins all, a doctor theirs, a patient their own record's."""
        if not user.is_authenticated:
            return self.none()
        if user.is_clinic_staff:
            return self.all()
        if user.is_doctor:
            return self.filter(doctor=user)
        if user.is_patient:
            return self.filter(client__user=user)
        return self.none()
