"""Shapes of the accounts API; meaning lives in accounts.services."""

from django.conf import settings
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts import selectors
from accounts.models import AuditEvent, Role, User
from config.fields import StrictBooleanField, StrictCharField, StrictEmailField
from config.representation import iso_datetime
from config.serializers import ModelSerializer


class UserSerializer(serializers.Serializer):
    """A user; admins may change `role` and `is_active`."""

    # A plain Serializer: it is read on every `me`, and ModelSerializer's field
    # introspection costs more than the authentication itself. Writes go
    # through accounts.services.

    id = serializers.IntegerField(read_only=True)
    email = StrictEmailField(max_length=254)
    username = StrictCharField(max_length=150, validators=[UnicodeUsernameValidator()])
    full_name = StrictCharField(max_length=200, required=False, allow_blank=True)
    role = serializers.ChoiceField(choices=Role.choices)
    is_active = StrictBooleanField()
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES,
        required=False,
        help_text="The user's language (one of LANGUAGES): the admin's, the API's messages when a "
        "request sends no Accept-Language, and their emails'.",
    )
    date_joined = serializers.DateTimeField(read_only=True)
    current_password = StrictCharField(
        write_only=True,
        required=False,
        max_length=4096,
        style={"input_type": "password"},
        help_text="Needed to change one's own email or username.",
    )

    def to_representation(self, user):
        """The declared fields, built directly (config.representation says why)."""
        return {
            "id": user.pk,
            "email": user.email,
            "username": user.username,
            "full_name": user.full_name,
            "role": user.role,
            "is_active": user.is_active,
            "language": user.language,
            "date_joined": iso_datetime(user.date_joined),
        }


class OwnProfileSerializer(UserSerializer):
    """The caller's own profile (`auth/me`, `users/me`, registration): a User
    and their client record's id; `role` and `is_active` cannot be changed here."""

    role = serializers.ChoiceField(choices=Role.choices, read_only=True)
    is_active = serializers.BooleanField(read_only=True)
    client = serializers.SerializerMethodField(
        help_text="The id of the caller's own client record (book with it); null for other roles."
    )

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_client(self, user) -> int | None:
        return selectors.own_client_id(user)

    def to_representation(self, user):
        return {**super().to_representation(user), "client": self.get_client(user)}


class UserCreateSerializer(UserSerializer):
    password = StrictCharField(write_only=True, max_length=4096, style={"input_type": "password"})
    is_active = serializers.BooleanField(read_only=True)
    current_password = None


class DoctorSerializer(ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "full_name"]


class RegisterSerializer(serializers.Serializer):
    email = StrictEmailField(max_length=254)
    username = StrictCharField(max_length=150, validators=[UnicodeUsernameValidator()])
    password = StrictCharField(write_only=True, max_length=4096, style={"input_type": "password"})
    full_name = StrictCharField(max_length=200, required=False, default="", allow_blank=True)
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES,
        required=False,
        help_text="The new patient's language, for their account and their client record; "
        "LANGUAGE_CODE when left out.",
    )


class LoginSerializer(serializers.Serializer):
    """JSON `{email or username, password}`, or the OAuth2 password form
    (`username=&password=`, `grant_type` and friends ignored)."""

    username = StrictCharField(required=False, allow_blank=True, max_length=254)
    email = StrictCharField(required=False, allow_blank=True, max_length=254)
    password = StrictCharField(write_only=True, max_length=4096, style={"input_type": "password"})

    def validate(self, attrs):
        login = (attrs.get("username") or attrs.get("email") or "").strip()
        if not login:
            raise serializers.ValidationError({"username": [_("Give an email or a username.")]})
        return {"login": login, "password": attrs["password"]}


class LoginSerializerSchema(OpenApiSerializerExtension):
    """`LoginRequest` says what `validate` asks: a username or an email that is not blank."""

    target_class = LoginSerializer

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        schema["anyOf"] = [
            {"required": [name], "properties": {name: {"pattern": r"\S"}}} for name in ("username", "email")
        ]
        return schema


class TokenPairSerializer(serializers.Serializer):
    access_token = StrictCharField()
    refresh_token = StrictCharField()
    token_type = StrictCharField()
    expires_in = serializers.IntegerField()


class RegisteredSerializer(TokenPairSerializer):
    user = OwnProfileSerializer()


class RefreshTokenSerializer(serializers.Serializer):
    refresh_token = StrictCharField(max_length=4096)


class PasswordChangeSerializer(serializers.Serializer):
    old_password = StrictCharField(max_length=4096, style={"input_type": "password"})
    new_password = StrictCharField(max_length=4096, style={"input_type": "password"})


class PasswordResetSerializer(serializers.Serializer):
    email = StrictEmailField(max_length=254)


class PasswordResetConfirmSerializer(serializers.Serializer):
    uid = StrictCharField(max_length=64)
    token = StrictCharField(max_length=128)
    new_password = StrictCharField(max_length=4096, style={"input_type": "password"})


class DetailSerializer(serializers.Serializer):
    detail = StrictCharField()


class AuditEventSerializer(ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = ["id", "actor", "action", "object_type", "object_id", "at", "ip", "request_id", "fields"]
        read_only_fields = fields
