"""`/api/v1/auth/mfa…`: the caller's second factor, and the second step of
signing in (API.md, "Second factor"). Rules: accounts/mfa.py."""

from django.shortcuts import get_object_or_404
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import mfa, passkeys, ratelimits
from accounts import mfa_serializers as shapes
from accounts.models import Passkey
from accounts.serializers import TokenPairSerializer
from accounts.views.auth import PublicView, ValidDataMixin

REMOVED = OpenApiResponse(description="The authenticator and its recovery codes are gone.")


class SignedInView(ValidDataMixin, APIView):
    permission_classes = [IsAuthenticated]


class MfaStatusView(SignedInView):
    @extend_schema(responses={200: shapes.MfaStatusSerializer})
    def get(self, request):
        return Response(mfa.status(request.user))


class BodyOnDeleteSchema(AutoSchema):
    """drf-spectacular documents a body for POST, PUT and PATCH only; DELETE
    auth/mfa/totp takes one (the password and a code), and clients generated
    from the schema must be able to send it."""

    def _get_request_body(self, direction="request"):
        method, self.method = self.method, "POST" if self.method == "DELETE" else self.method
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = method


class TotpView(SignedInView):
    schema = BodyOnDeleteSchema()

    @extend_schema(
        request=None,
        responses={201: shapes.NewAuthenticatorSerializer},
        description="A new authenticator, unconfirmed until auth/mfa/totp/confirm; 409 when one is set up.",
    )
    def post(self, request):
        new = mfa.start_totp(user=request.user)
        body = {"secret": new.secret, "otpauth_uri": new.otpauth_uri}
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=shapes.OwnerProofSerializer, responses={204: REMOVED})
    def delete(self, request):
        ratelimits.limit_mfa(request, user=request.user)
        mfa.disable_totp(user=request.user, request=request, **self.valid_data(shapes.OwnerProofSerializer))
        return Response(status=status.HTTP_204_NO_CONTENT)


class TotpConfirmView(SignedInView):
    @extend_schema(request=shapes.CodeSerializer, responses={200: shapes.RecoveryCodesSerializer})
    def post(self, request):
        ratelimits.limit_mfa(request, user=request.user)
        code = self.valid_data(shapes.CodeSerializer)["code"]
        return Response({"recovery_codes": mfa.confirm_totp(user=request.user, code=code, request=request)})


class RecoveryCodesView(SignedInView):
    @extend_schema(
        request=shapes.OwnerProofSerializer,
        responses={200: shapes.RecoveryCodesSerializer},
        description="A new set of recovery codes; the old set stops working.",
    )
    def post(self, request):
        ratelimits.limit_mfa(request, user=request.user)
        data = self.valid_data(shapes.OwnerProofSerializer)
        codes = mfa.regenerate_recovery_codes(user=request.user, request=request, **data)
        return Response({"recovery_codes": codes})


class MfaVerifyView(PublicView):
    rate_limit_group = "mfa_verify"

    @extend_schema(request=shapes.MfaVerifySerializer, responses={200: TokenPairSerializer})
    def post(self, request):
        data = self.valid_data(shapes.MfaVerifySerializer)
        return Response(mfa.verify_sign_in(request=request, **data).as_response())


class MfaPasskeyOptionsView(PublicView):
    rate_limit_group = "mfa_verify"

    @extend_schema(request=shapes.MfaTokenSerializer, responses={200: shapes.WebAuthnOptionsSerializer})
    def post(self, request):
        return Response(mfa.passkey_options(**self.valid_data(shapes.MfaTokenSerializer)))


class PasskeyOptionsView(SignedInView):
    @extend_schema(request=None, responses={200: shapes.WebAuthnOptionsSerializer})
    def post(self, request):
        return Response(passkeys.registration_options(request.user))


class PasskeyListView(SignedInView):
    @extend_schema(responses={200: shapes.PasskeySerializer(many=True)})
    def get(self, request):
        rows = Passkey.objects.filter(user=request.user)
        return Response(shapes.PasskeySerializer(rows, many=True).data)

    @extend_schema(request=shapes.NewPasskeySerializer, responses={201: shapes.PasskeySerializer})
    def post(self, request):
        data = self.valid_data(shapes.NewPasskeySerializer)
        passkey = passkeys.register(user=request.user, request=request, **data)
        return Response(shapes.PasskeySerializer(passkey).data, status=status.HTTP_201_CREATED)


class PasskeyDetailView(SignedInView):
    @extend_schema(responses={204: OpenApiResponse(description="Removed.")})
    def delete(self, request, passkey_id: int):
        passkey = get_object_or_404(Passkey, pk=passkey_id, user=request.user)
        passkeys.remove(user=request.user, passkey=passkey, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)
