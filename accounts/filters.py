import django_filters

from accounts.models import AuditAction, AuditEvent, Role, User


class UserFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=Role.choices)

    class Meta:
        model = User
        fields = ["role", "is_active"]


class AuditEventFilter(django_filters.FilterSet):
    action = django_filters.ChoiceFilter(choices=AuditAction.choices)

    class Meta:
        model = AuditEvent
        fields = ["actor", "object_type", "object_id", "action"]
