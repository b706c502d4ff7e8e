from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q

from clinic.fields import EncryptedTextField


class ClientQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_archived=False)

    def visible_to(self, user):
        """The records `user` may see: staff and admins all, a doctor their own
        patients (assigned, or with an appointment with them), a patient their own."""
        if not user.is_authenticated:
            return self.none()
        if user.is_clinic_staff:
            return self.active()
        if user.is_doctor:
            from scheduling.models import Appointment

            has_visit = Exists(Appointment.objects.filter(client=OuterRef("pk"), doctor=user))
            return self.active().filter(Q(assigned_doctor=user) | has_visit | _emergency_grant(user))
        if user.is_patient:
            return self.active().filter(user=user)
        return self.none()


def _emergency_grant(user) -> Exists:
    """An unexpired break-glass grant of `user` on the record (clinic/emergency.py)."""
    from django.utils import timezone

    grants = EmergencyAccess.objects.filter(user=user, client=OuterRef("pk"), expires_at__gt=timezone.now())
    return Exists(grants)


class Gender(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Unknown"


class Client(models.Model):
    """A patient's record. `medical_history` and `notes` are encrypted at rest."""

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    # Not unique: family members share one; registration never links by email.
    email = models.EmailField(null=True, blank=True, db_index=True)  # noqa: DJ001 (DESIGN: nullable)
    phone = models.CharField(max_length=32, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    gender = models.CharField(max_length=16, choices=Gender.choices, blank=True)
    address = models.TextField(blank=True)
    medical_history = EncryptedTextField(blank=True, default="")
    notes = EncryptedTextField(blank=True, default="")
    assigned_doctor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_clients",
        limit_choices_to={"role": "doctor"},
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="client",
        limit_choices_to={"role": "patient"},
    )
    is_archived = models.BooleanField(default=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        indexes = [
            models.Index(fields=["last_name", "first_name"]),
            models.Index(fields=["assigned_doctor", "is_archived"]),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"


class EmergencyAccess(models.Model):
    """Break-glass: `user` opened `client`, outside their scope, for a stated
    reason, until `expires_at` (clinic/emergency.py). Rows are kept as history."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="emergency_accesses")
    reason = EncryptedTextField()  # may name clinical facts: encrypted like the record
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["user", "client", "expires_at"])]
        verbose_name_plural = "emergency accesses"

    def __str__(self):
        return f"emergency access #{self.pk}"
