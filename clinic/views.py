from django.conf import settings
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import filters, mixins, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts import serializers as account_serializers
from accounts import tokens
from accounts.exceptions import RegistrationClosed
from accounts.permissions import IsAdmin, IsStaffOrAdmin
from accounts.views.auth import PublicView
from clinic import services
from clinic.filters import CLIENT_ORDERING_FIELDS, CLIENT_SEARCH_FIELDS, ClientFilter
from clinic.models import Client
from clinic.permissions import MayChangeTheseClientFields
from clinic.serializers import ClientSerializer
from config.filtering import StrictDjangoFilterBackend


@extend_schema_view(
    list=extend_schema(summary="Client records the caller may see (archived ones never)"),
    retrieve=extend_schema(summary="One client record; recorded as an audit `view` event"),
    create=extend_schema(summary="Create a client record (admin, staff)"),
    partial_update=extend_schema(
        summary="Change a record: admin/staff any field, a doctor medical_history and notes "
        "of their patients, a patient phone, address and email of their own",
        description="A body naming any field the caller may not change is refused whole: "
        "403 `permission_denied`, nothing saved; the message names the fields, never values. "
        "Read-only and unknown keys are ignored. Only fields whose value changes are audited.",
    ),
    destroy=extend_schema(summary="Archive a record (admin); restorable in the admin"),
)
class ClientViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ClientSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    filter_backends = [StrictDjangoFilterBackend, filters.SearchFilter, filters.OrderingFilter]
    filterset_class = ClientFilter
    search_fields = CLIENT_SEARCH_FIELDS
    ordering_fields = CLIENT_ORDERING_FIELDS

    def get_queryset(self):
        return Client.objects.visible_to(self.request.user)

    def get_permissions(self):
        extra = {
            "create": [IsStaffOrAdmin],
            "partial_update": [MayChangeTheseClientFields],
            "destroy": [IsAdmin],
        }.get(self.action, [])
        return [IsAuthenticated(), *(permission() for permission in extra)]

    def retrieve(self, request, *args, **kwargs):
        client = self.get_object()
        services.record_client_view(client=client, request=request)
        return Response(self.get_serializer(client).data)

    def perform_create(self, serializer):
        serializer.instance = services.create_client(
            actor=self.request.user, request=self.request, **serializer.validated_data
        )

    def perform_update(self, serializer):
        services.update_client(
            client=serializer.instance,
            changes=serializer.validated_data,
            actor=self.request.user,
            request=self.request,
        )

    def perform_destroy(self, instance):
        services.archive_client(client=instance, actor=self.request.user, request=self.request)


class RegisterView(PublicView):
    """`POST /api/v1/auth/register`: a patient's account and their own client record."""

    rate_limit_group = "register"

    def initial(self, request, *args, **kwargs):
        if not settings.ALLOW_REGISTRATION:
            raise RegistrationClosed
        super().initial(request, *args, **kwargs)

    @extend_schema(
        request=account_serializers.RegisterSerializer,
        responses={201: account_serializers.RegisteredSerializer},
    )
    def post(self, request):
        data = self.valid_data(account_serializers.RegisterSerializer)
        user = services.register_patient(**data, request=request)
        body = {
            "user": account_serializers.OwnProfileSerializer(user).data,
            **tokens.pair_for(user).as_response(),
        }
        return Response(body, status=status.HTTP_201_CREATED)
