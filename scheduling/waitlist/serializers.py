"""Shapes of the waitlist endpoints; the rules live in entries and offers."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import User
from config.fields import IsoDateField, StrictCharField
from config.representation import iso_datetime
from config.serializers import ModelSerializer
from scheduling.serializers import ActiveTypeField, VisibleClientField
from scheduling.waitlist.models import OfferStatus, WaitlistEntry


class EntryRequestSerializer(serializers.Serializer):
    client = VisibleClientField()
    doctor = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True, default=None
    )
    appointment_type = ActiveTypeField(required=False, allow_null=True, default=None)
    earliest_date = IsoDateField()
    latest_date = IsoDateField()
    notes = StrictCharField(max_length=1000, allow_blank=True, required=False, default="")


class OfferSerializer(serializers.Serializer):
    token = StrictCharField(help_text="The credential of accept and decline (as in the email's link).")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()


class EntrySerializer(ModelSerializer):
    offer = serializers.SerializerMethodField()

    class Meta:
        model = WaitlistEntry
        fields = [
            "id", "client", "doctor", "appointment_type", "earliest_date", "latest_date", "notes",
            "status", "offer", "created_at",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(OfferSerializer(allow_null=True))
    def get_offer(self, entry):
        """The pending offer, to staff and to the patient themselves (else null)."""
        user = self.context["request"].user
        if not (user.is_clinic_staff or user.is_patient):
            return None
        offer = next((o for o in entry.offers.all() if o.status == OfferStatus.PENDING), None)
        if offer is None:
            return None
        return {
            "token": offer.token,
            "starts_at": iso_datetime(offer.starts_at),
            "ends_at": iso_datetime(offer.ends_at),
            "expires_at": iso_datetime(offer.expires_at),
        }
