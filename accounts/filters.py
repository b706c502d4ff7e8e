import django_filters

from accounts.models import AuditAction, AuditEvent, Role, User
from config.filtering import IdFilter, TextFilter


class UserFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=Role.choices)

    class Meta:
        model = User
        fields = ["role", "is_active"]


class AuditEventFilter(django_filters.FilterSet):
    actor = IdFilter(field_name="actor_id")
    object_type = TextFilter()
    object_id = IdFilter()
    action = django_filters.ChoiceFilter(choices=AuditAction.choices)

    class Meta:
        model = AuditEvent
        fields = ["actor", "object_type", "object_id", "action"]
