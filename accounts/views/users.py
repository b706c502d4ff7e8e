"""`/api/v1/users/`, `/api/v1/doctors/` and `/api/v1/audit-events/` (API.md, "Users", "Audit")."""

from drf_spectacular.utils import extend_schema
from rest_framework import filters, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts import serializers, services
from accounts.filters import AuditEventFilter, UserFilter
from accounts.models import AuditEvent, User
from accounts.permissions import IsAdmin
from config.filtering import StrictDjangoFilterBackend


class UserViewSet(viewsets.ModelViewSet):
    """Admins manage every user; anyone signed in reads and edits their own profile at `me`."""

    queryset = User.objects.order_by("id")
    serializer_class = serializers.UserSerializer
    permission_classes = [IsAdmin]
    filter_backends = [StrictDjangoFilterBackend, filters.SearchFilter]
    filterset_class = UserFilter
    search_fields = ["username", "email", "full_name"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_serializer_class(self):
        if self.action == "create":
            return serializers.UserCreateSerializer
        if self.action == "me":
            return serializers.OwnProfileSerializer
        return serializers.UserSerializer

    @extend_schema(responses={201: serializers.UserSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.create_user(**serializer.validated_data, actor=request.user, request=request)
        return Response(serializers.UserSerializer(user).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        return self._update(request, self.get_object())

    def destroy(self, request, *args, **kwargs):
        services.deactivate_user(user=self.get_object(), actor=request.user, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(methods=["PATCH"], request=serializers.OwnProfileSerializer)
    @action(detail=False, methods=["get", "patch"], permission_classes=[IsAuthenticated])
    def me(self, request):
        if request.method == "GET":
            return Response(self.get_serializer(request.user).data)
        return self._update(request, User.objects.get(pk=request.user.pk))

    def _update(self, request, user):
        serializer = self.get_serializer(user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = services.update_user(
            user=user, actor=request.user, request=request, **serializer.validated_data
        )
        return Response(self.get_serializer(user).data)


class DoctorViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Active doctors, for booking: a plain array of `{id, full_name}`."""

    serializer_class = serializers.DoctorSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = None
    filter_backends = []

    def get_queryset(self):
        return User.objects.active_doctors().order_by("full_name", "id")


class AuditEventViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = AuditEvent.objects.all()
    serializer_class = serializers.AuditEventSerializer
    permission_classes = [IsAdmin]
    filterset_class = AuditEventFilter
