"""The series row: who, with whom, and the rule its visits were made from.
Each occurrence is an ordinary `Appointment` naming it (`Appointment.series`)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from scheduling.scopes import DoctorAndClientScoped


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

    objects = DoctorAndClientScoped.as_manager()  # visible_to as appointments

    class Meta:
        app_label = "scheduling"
        ordering = ["-created_at", "-id"]
        verbose_name = _("appointment series")
        verbose_name_plural = _("appointment series")

    def __str__(self):
        return f"series {self.pk}"
