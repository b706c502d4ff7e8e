"""`/api/v1/waitlist/` and the offers' answers: thin views over
scheduling.waitlist.entries and scheduling.waitlist.offers."""

from django.conf import settings
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import ratelimits
from accounts.authentication import EncryptedJWTAuthentication
from scheduling.serializers import AppointmentSerializer
from scheduling.waitlist import entries, offers
from scheduling.waitlist.models import OfferStatus, WaitlistEntry, WaitlistOffer
from scheduling.waitlist.permissions import WaitlistPermission
from scheduling.waitlist.serializers import EntryRequestSerializer, EntrySerializer


@extend_schema(request=EntryRequestSerializer, methods=["POST"])
class WaitlistViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = EntrySerializer
    permission_classes = [WaitlistPermission]
    http_method_names = ["get", "post", "delete", "head", "options"]

    def get_queryset(self):
        pending = Prefetch("offers", queryset=WaitlistOffer.objects.filter(status=OfferStatus.PENDING))
        return (
            WaitlistEntry.objects.visible_to(self.request.user)
            .prefetch_related(pending)
            .order_by("created_at", "id")
        )

    def create(self, request, *args, **kwargs):
        body = EntryRequestSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        entry = entries.add_entry(**body.validated_data, created_by=request.user, request=request)
        return Response(self.get_serializer(entry).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        entries.remove_entry(entry=instance, by=self.request.user, request=self.request)


class OfferAnswerView(APIView):
    """The offer's token is the credential (as the calendar feed's): no sign-in,
    and an Authorization header is ignored. Every answer, a wrong token's too,
    counts against OFFER_ANSWER_RATE per client IP (accept and decline share it)."""

    authentication_classes = []
    permission_classes = [AllowAny]

    def get_authenticate_header(self, request):
        return EncryptedJWTAuthentication().authenticate_header(request)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        ratelimits.limit_ip(request, group="waitlist_offer", rate=settings.OFFER_ANSWER_RATE)


class OfferAcceptView(OfferAnswerView):
    @extend_schema(request=None, responses={201: AppointmentSerializer}, auth=[])
    def post(self, request, token):
        appointment = offers.accept_offer(token=token, request=request)
        return Response(AppointmentSerializer(appointment).data, status=status.HTTP_201_CREATED)


class OfferDeclineView(OfferAnswerView):
    @extend_schema(request=None, responses={204: None}, auth=[])
    def post(self, request, token):
        offers.decline_offer(token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)
