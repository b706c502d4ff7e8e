"""The waitlist's rows: who waits for what (`WaitlistEntry`), and a freed slot
offered to one of them (`WaitlistOffer`), held meanwhile by an Appointment row
in status `held` so that the exclusion constraints keep it for them."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from clinic.models import Client
from config.encryption import EncryptedTextField


class EntryStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    OFFERED = "offered", _("Offered")
    BOOKED = "booked", _("Booked")
    EXPIRED = "expired", _("Expired")
    CANCELLED = "cancelled", _("Cancelled")


class OfferStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")
    WITHDRAWN = "withdrawn", _("Withdrawn")  # the entry was removed while offered


class EntryQuerySet(models.QuerySet):
    def visible_to(self, user):
        """As client records: staff and admins all, a doctor their patients', a patient their own."""
        return self.filter(client__in=Client.objects.visible_to(user))


class WaitlistEntry(models.Model):
    client = models.ForeignKey(
        "clinic.Client", verbose_name=_("client"), on_delete=models.CASCADE, related_name="waitlist_entries"
    )
    doctor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("doctor"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="waitlist_entries",
        limit_choices_to={"role": "doctor"},
    )
    appointment_type = models.ForeignKey(
        "scheduling.AppointmentType",
        verbose_name=_("visit type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    earliest_date = models.DateField(_("earliest date"))
    latest_date = models.DateField(_("latest date"))
    notes = EncryptedTextField(_("notes"), blank=True, default="")  # PHI, like an appointment's notes
    status = models.CharField(
        _("status"), max_length=16, choices=EntryStatus.choices, default=EntryStatus.WAITING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        app_label = "scheduling"
        ordering = ["created_at", "id"]
        verbose_name = _("waitlist entry")
        verbose_name_plural = _("waitlist entries")
        indexes = [
            # The oldest waiting entry whose dates hold a freed slot.
            models.Index(
                fields=["created_at", "id"],
                name="waitlist_waiting",
                condition=Q(status="waiting"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(latest_date__gte=F("earliest_date")), name="waitlist_dates_in_order"
            ),
        ]

    def __str__(self):
        return f"waitlist entry {self.pk}"


class WaitlistOffer(models.Model):
    """A freed slot offered to an entry's client until `expires_at`. The token
    (kept encrypted, looked up by its SHA-256) is the credential of the email's
    link; `sent_at` and `status` make the email and the expiry happen once."""

    entry = models.ForeignKey(
        WaitlistEntry, verbose_name=_("waitlist entry"), on_delete=models.CASCADE, related_name="offers"
    )
    hold = models.OneToOneField(
        "scheduling.Appointment",
        verbose_name=_("hold"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="offer",
    )
    doctor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("doctor"), on_delete=models.CASCADE, related_name="+"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    expires_at = models.DateTimeField(_("expires at"))
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    token = EncryptedTextField(_("token"))
    status = models.CharField(
        _("status"), max_length=16, choices=OfferStatus.choices, default=OfferStatus.PENDING
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    job_id = models.CharField(_("job id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        app_label = "scheduling"
        ordering = ["created_at", "id"]
        verbose_name = _("waitlist offer")
        verbose_name_plural = _("waitlist offers")
        indexes = [models.Index(fields=["status", "expires_at"], name="waitlist_offer_status")]

    def __str__(self):
        return f"waitlist offer {self.pk}"
