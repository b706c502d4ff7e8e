import django_filters

from clinic.models import Client

CLIENT_SEARCH_FIELDS = ["first_name", "last_name", "email", "phone"]
CLIENT_ORDERING_FIELDS = ["last_name", "first_name", "date_of_birth", "created_at", "updated_at", "id"]


class ClientFilter(django_filters.FilterSet):
    assigned_doctor = django_filters.NumberFilter(field_name="assigned_doctor_id")

    class Meta:
        model = Client
        fields = ["assigned_doctor"]
