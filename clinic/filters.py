import django_filters

from clinic.models import Client
from config.filtering import IdFilter

CLIENT_SEARCH_FIELDS = ["first_name", "last_name", "email", "phone"]
CLIENT_ORDERING_FIELDS = ["last_name", "first_name", "date_of_birth", "created_at", "updated_at", "id"]


class ClientFilter(django_filters.FilterSet):
    assigned_doctor = IdFilter(field_name="assigned_doctor_id")

    class Meta:
        model = Client
        fields = ["assigned_doctor"]
