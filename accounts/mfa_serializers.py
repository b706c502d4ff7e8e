"""Shapes of the second-factor API (`auth/mfa…`); meaning lives in accounts.mfa."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.mfa import RECOVERY_CODE_COUNT
from config.fields import StrictCharField

CODE = {"max_length": 64, "help_text": "A current authenticator code (6 digits) or a recovery code."}
METHODS = ["totp", "recovery_code", "passkey"]
PASSWORD = {"max_length": 4096, "style": {"input_type": "password"}}


class MfaStatusSerializer(serializers.Serializer):
    totp = serializers.BooleanField(read_only=True, help_text="An authenticator app is set up (confirmed).")
    passkeys = serializers.IntegerField(help_text="How many passkeys are registered.")
    recovery_codes_left = serializers.IntegerField()
    required = serializers.BooleanField(
        read_only=True, help_text="This user's role must have a second factor."
    )


class NewAuthenticatorSerializer(serializers.Serializer):
    secret = StrictCharField(help_text="Base32, for apps that take the key typed in.")
    otpauth_uri = StrictCharField(help_text="The otpauth:// URI a QR code carries.")


class CodeSerializer(serializers.Serializer):
    code = StrictCharField(**CODE)


class OwnerProofSerializer(serializers.Serializer):
    password = StrictCharField(**PASSWORD)
    code = StrictCharField(**CODE)


class RecoveryCodesSerializer(serializers.Serializer):
    recovery_codes = serializers.ListField(
        child=StrictCharField(),
        min_length=RECOVERY_CODE_COUNT,
        max_length=RECOVERY_CODE_COUNT,
        help_text="Single-use codes, shown this once: each signs in once in place of the app.",
    )


class MfaTokenSerializer(serializers.Serializer):
    mfa_token = StrictCharField(max_length=4096)


class MfaVerifySerializer(MfaTokenSerializer):
    """`code` or `passkey`, one of the two."""

    code = StrictCharField(required=False, **CODE)
    passkey = serializers.DictField(
        required=False, help_text="The assertion `navigator.credentials.get()` returned, as JSON."
    )

    def validate(self, attrs):
        if ("code" in attrs) == ("passkey" in attrs):
            raise serializers.ValidationError(
                {"code": [_("Give a code or a passkey assertion, one of the two.")]}
            )
        return attrs


class PasskeySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = StrictCharField(max_length=64)
    created_at = serializers.DateTimeField(read_only=True)
    last_used_at = serializers.DateTimeField(read_only=True, allow_null=True)


class NewPasskeySerializer(PasskeySerializer):
    credential = serializers.DictField(
        write_only=True, help_text="What `navigator.credentials.create()` returned, as JSON."
    )


class WebAuthnOptionsSerializer(serializers.Serializer):
    """py_webauthn's options, as `navigator.credentials.create()`/`get()` take them (base64url bytes)."""

    challenge = StrictCharField()
    timeout = serializers.IntegerField()


class SecondStepSerializer(serializers.Serializer):
    """`auth/login`'s answer when the user has a second factor: no tokens yet."""

    mfa_required = serializers.BooleanField(read_only=True)
    mfa_token = StrictCharField(help_text="Send it to auth/mfa/verify with a code within 5 minutes.")
    methods = serializers.ListField(child=serializers.ChoiceField(choices=METHODS))
