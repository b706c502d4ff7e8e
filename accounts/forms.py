from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError

from accounts import services
from accounts.models import User


class _IdentifiersFreeMixin:
    """An email or username that signs another account in is a form error
    (the rule is services.check_identifiers_free, as for the API)."""

    def clean(self):
        cleaned_data = super().clean()
        fields = [
            name for name in services.IDENTIFIERS if name in self.changed_data and cleaned_data.get(name)
        ]
        candidate = User(pk=self.instance.pk, **{name: cleaned_data[name] for name in fields})
        try:
            services.check_identifiers_free(user=candidate, fields=fields)
        except ValidationError as exc:
            self.add_error(None, exc)
        return cleaned_data


class UserCreateForm(_IdentifiersFreeMixin, AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "email", "full_name", "role")


class UserEditForm(_IdentifiersFreeMixin, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"
