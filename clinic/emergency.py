"""Break-glass access (issue 9): a doctor or staff member opens a client record
outside their scope through an explicit call with a reason. The grant lasts
`EMERGENCY_ACCESS_MINUTES`, is an audit `emergency_access` event and emails
every active admin (through RQ, once the grant is committed).

`Client.objects.visible_to(user)` honours an unexpired grant, so every read
and permitted write of that record works as for the doctor's own patients.
"""

import logging
from collections import defaultdict
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.audit import record_event
from accounts.models import AuditAction, Role, User
from accounts.permissions import IsClinician
from clinic.models import Client, EmergencyAccess
from config import queues
from config.fields import StrictCharField
from config.serializers import ModelSerializer

logger = logging.getLogger(__name__)

GRANT_MINUTES = 30


def grant_minutes() -> int:
    return getattr(settings, "EMERGENCY_ACCESS_MINUTES", GRANT_MINUTES)


@transaction.atomic
def grant_emergency_access(*, user: User, client: Client, reason: str, request=None) -> EmergencyAccess:
    """Open `client` to `user` for a short time; audited, admins told on commit."""
    grant = EmergencyAccess.objects.create(
        user=user,
        client=client,
        reason=reason,
        expires_at=timezone.now() + timedelta(minutes=grant_minutes()),
    )
    record_event(action=AuditAction.EMERGENCY_ACCESS, actor=user, obj=client, request=request)
    transaction.on_commit(lambda: queues.get_queue().enqueue(notify_admins, grant.pk))
    return grant


def notify_admins(grant_id: int) -> int:
    """RQ job: email every active admin that a record was opened under emergency
    access. No PHI: ids, role and times; the reason stays, encrypted, with the grant."""
    grant = EmergencyAccess.objects.select_related("user").get(pk=grant_id)
    admins = User.objects.filter(is_active=True, role=Role.ADMIN).exclude(email="")
    by_language = defaultdict(list)
    for language, email in admins.values_list("language", "email"):
        by_language[language].append(email)
    if not by_language:
        logger.warning("emergency access: no admin to notify", extra={"grant_id": grant_id})
        return 0
    groups = sorted(by_language.items())
    return sum(_emergency_email(grant, to=emails, language=language) for language, emails in groups)


def _emergency_email(grant: EmergencyAccess, *, to: list[str], language: str) -> int:
    """One message to the admins who read `language`, times in the clinic's zone."""
    with translation.override(language):
        zone = ZoneInfo(settings.TIME_ZONE)
        facts = {
            "user": grant.user_id,
            "role": grant.user.get_role_display(),
            "client": grant.client_id,
            "start": date_format(timezone.localtime(grant.created_at, zone), "SHORT_DATETIME_FORMAT"),
            "end": date_format(timezone.localtime(grant.expires_at, zone), "SHORT_DATETIME_FORMAT"),
            "zone": settings.TIME_ZONE,
            "grant": grant.pk,
        }
        body = _(
            "User #%(user)s (%(role)s) opened client record #%(client)s under emergency access "
            "at %(start)s, until %(end)s (%(zone)s).\n"
            "The stated reason is kept, encrypted, with the grant (emergency access #%(grant)s)."
        )
        message = EmailMessage(
            subject=str(_("Emergency access to client record #%(client)s") % facts),
            body=str(body % facts),
            to=to,
            headers={"X-Clinic-Email": "emergency_access"},
        )
    return message.send()


class EmergencyAccessRequestSerializer(serializers.Serializer):
    reason = StrictCharField(min_length=10, max_length=2000, trim_whitespace=True)


class EmergencyAccessSerializer(ModelSerializer):
    class Meta:
        model = EmergencyAccess
        fields = ["id", "client", "user", "created_at", "expires_at"]


class EmergencyAccessView(APIView):
    """POST /api/v1/clients/{id}/emergency-access `{reason}`: admin, staff,
    doctors; patients 403. An archived or unknown record is 404."""

    permission_classes = [IsClinician]

    @extend_schema(
        tags=["clients"],
        summary="Break-glass: open a record outside your scope for a short time, with a reason",
        request=EmergencyAccessRequestSerializer,
        responses={
            201: EmergencyAccessSerializer,
            400: OpenApiResponse(description="`validation_error`: no reason, or too short"),
            401: OpenApiResponse(description="`not_authenticated`, `token_not_valid`"),
            403: OpenApiResponse(description="`permission_denied`: patients"),
            404: OpenApiResponse(description="`not_found`: no such record, or archived"),
        },
    )
    def post(self, request, pk):
        client = get_object_or_404(Client.objects.active(), pk=pk)
        data = EmergencyAccessRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        grant = grant_emergency_access(
            user=request.user, client=client, reason=data.validated_data["reason"], request=request
        )
        return Response(EmergencyAccessSerializer(grant).data, status=status.HTTP_201_CREATED)
