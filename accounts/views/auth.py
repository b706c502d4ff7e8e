"""`/api/v1/auth/`: sign-in, tokens and passwords (API.md, "Auth"); sign-up
(`auth/register`) is clinic's, which creates the patient's record too."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import passwords, ratelimits, serializers, services
from accounts.authentication import EncryptedJWTAuthentication
from accounts.mfa_serializers import SecondStepSerializer

NO_CONTENT = OpenApiResponse(description="Done.")


class ValidDataMixin:
    def valid_data(self, serializer_class) -> dict:
        """The request body checked by `serializer_class` (400 when it is not valid)."""
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class PublicView(ValidDataMixin, APIView):
    """An endpoint one calls signed out, limited per IP (`rate_limit_group`)."""

    # A stale bearer a client still sends must not stand in the way of signing in again.
    authentication_classes = []
    permission_classes = [AllowAny]
    rate_limit_group = ""

    def get_authenticate_header(self, request):
        # Without it DRF turns these views' own 401s (wrong password, bad refresh token) into 403s.
        return EncryptedJWTAuthentication().authenticate_header(request)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        ratelimits.limit_ip(request, group=self.rate_limit_group)


class LoginView(PublicView):
    rate_limit_group = "login"
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        request=serializers.LoginSerializer,
        responses={
            200: PolymorphicProxySerializer(
                component_name="LoginAnswer",
                serializers=[serializers.TokenPairSerializer, SecondStepSerializer],
                resource_type_field_name=None,
            )
        },
        description=(
            "The token pair; for a user with a second factor, `{mfa_required, mfa_token, methods}` "
            "instead, to complete with auth/mfa/verify."
        ),
    )
    def post(self, request):
        data = self.valid_data(serializers.LoginSerializer)
        ratelimits.limit_account(request, group="login", login=data["login"])
        answer = services.log_in(login=data["login"], password=data["password"], request=request)
        return Response(answer.as_response())


class RefreshView(PublicView):
    rate_limit_group = "refresh"

    @extend_schema(
        request=serializers.RefreshTokenSerializer,
        responses={200: serializers.TokenPairSerializer},
        description=(
            "A new pair; the refresh token sent is refused from then on. A used or "
            "logged-out refresh token sent again revokes every token of its user (401)."
        ),
    )
    def post(self, request):
        data = self.valid_data(serializers.RefreshTokenSerializer)
        pair = services.rotate_refresh_token(refresh_token=data["refresh_token"], request=request)
        return Response(pair.as_response())


class LogoutView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=serializers.RefreshTokenSerializer,
        responses={204: NO_CONTENT},
        description=(
            "Refuses this refresh token and the calling access token from then on. "
            "If the deny-list is unreachable, every token of the user is revoked."
        ),
    )
    def post(self, request):
        serializer = serializers.RefreshTokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.log_out(
            user=request.user,
            refresh_token=serializer.validated_data["refresh_token"],
            access_token=request.auth,
            request=request,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: serializers.OwnProfileSerializer})
    def get(self, request):
        return Response(serializers.OwnProfileSerializer(request.user).data)


class PasswordChangeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=serializers.PasswordChangeSerializer, responses={204: NO_CONTENT})
    def post(self, request):
        ratelimits.limit_user(request, group="password_change", user=request.user)
        serializer = serializers.PasswordChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        passwords.change_password(user=request.user, request=request, **serializer.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordResetView(PublicView):
    rate_limit_group = "password_reset"

    @extend_schema(request=serializers.PasswordResetSerializer, responses={202: serializers.DetailSerializer})
    def post(self, request):
        email = self.valid_data(serializers.PasswordResetSerializer)["email"]
        ratelimits.limit_account(request, group="password_reset", login=email)
        passwords.request_password_reset(email=email)
        detail = _("If an account uses this email, a reset link is on its way.")
        return Response({"detail": detail}, status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmView(PublicView):
    rate_limit_group = "password_reset_confirm"

    @extend_schema(request=serializers.PasswordResetConfirmSerializer, responses={204: NO_CONTENT})
    def post(self, request):
        passwords.reset_password(
            **self.valid_data(serializers.PasswordResetConfirmSerializer), request=request
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
