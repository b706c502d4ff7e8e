from clinic.models import Client
from config.serializers import ModelSerializer


class ClientSerializer(ModelSerializer):
    """A client (patient) record."""

    # Shape only: what a role may change is in `clinic.permissions`, what a
    # value may mean is in `clinic.services`.

    class Meta:
        model = Client
        fields = [
            "id",
            "first_name",
            "last_name",
            "email",
            "phone",
            "date_of_birth",
            "gender",
            "address",
            "language",
            "medical_history",
            "notes",
            "assigned_doctor",
            "user",
            "is_archived",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "is_archived", "created_at", "updated_at"]
