from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import Throttled

from accounts import admin_webauthn, mfa, services
from accounts.models import User
from config.languages import LanguageOmittedKeepsItMixin


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


class UserCreateForm(LanguageOmittedKeepsItMixin, _IdentifiersFreeMixin, AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "email", "full_name", "role", "language")


class UserEditForm(LanguageOmittedKeepsItMixin, _IdentifiersFreeMixin, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


class AdminLoginForm(AdminAuthenticationForm):
    """The admin's sign-in: for a user with a second factor, its code or a
    passkey too (accounts/mfa.py, as the API's auth/mfa/verify)."""

    code = forms.CharField(
        required=False,
        max_length=64,
        label=_("Code"),
        help_text=_("With a second factor set up: the 6 digits your app shows, or a recovery code."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false"}),
    )
    passkey = forms.CharField(required=False, max_length=16384, widget=forms.HiddenInput)

    def clean(self):
        cleaned_data = super().clean()
        user = self.get_user()
        if user is not None and user.mfa_enabled:
            proof = admin_webauthn.sign_in_proof(
                self.request, code=cleaned_data.get("code", ""), passkey=cleaned_data.get("passkey", "")
            )
            try:
                accepted = mfa.check_second_factor(user=user, proof=proof, request=self.request)
            except Throttled as exc:
                message = _("Too many codes tried: wait %(seconds)s seconds.") % {"seconds": exc.wait}
                raise ValidationError(message, code="throttled") from exc
            if not accepted:
                raise ValidationError(
                    _(
                        "Enter the code your authenticator app shows now, or one of your recovery codes;"
                        " or use your passkey."
                    ),
                    code="invalid_mfa_code",
                )
        return cleaned_data
