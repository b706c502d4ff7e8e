"""The series row: who, with whom, and the rule its visits were made from.
Each occurrence is an ordinary `Appointment` naming it (`Appointment.series`)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SeriesQuerySet(models.QuerySet):
    def visible_to(self, user):
        """As appointments: staff and admins all, a doctor theirs, a patient their own record's."""
        if not user.is_authenticated:
            return self.none()
        if user.is_clinic_staff:
            return self.all()
        if user.is_doctor:
            return self.filter(doctor=user)
        if user.is_patient:
            return self.filter(client__user=user)
        return self.none()


class AppointmentSeries(models.Model):
    client = models.ForeignKey(
        "clinic.Client", verbose_name=_("client"), on_delete=models.PROTECT, related_name="appointment_series"
    )
    doctor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("doctor"),
        on_delete=models.PROTECT,
        related_name="appointment_series",
        limit_choices_to={"role": "doctor"},
    )
    rrule = models.CharField(_("recurrence rule"), max_length=200)  # as sent, checked by series.rules
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = SeriesQuerySet.as_manager()

    class Meta:
        app_label = "scheduling"
        ordering = ["-created_at", "-id"]
        verbose_name = _("appointment series")
        verbose_name_plural = _("appointment series")

    def __str__(self):
        return f"series {self.pk}"
